#include "attention_jxl/encode.h"

#include <jxl/encode.h>
#include <jxl/encode_cxx.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "attention_jxl/error.h"
#include "jxl/encoder_setup.h"
#include "jxl/metadata_boxes.h"
#include "jxl/runner.h"

namespace attention_jxl {
namespace {

struct FrameSetting {
  const char* name;
  JxlEncoderFrameSettingId id;
  bool is_float;
};

// libjxl's frame settings by name. cjxl's flag names are accepted as aliases
// (faster_decoding, photon_noise_iso, ec_resampling, modular_colorspace).
// Effort, group order and its center have their own EncodeSettings fields.
constexpr FrameSetting kFrameSettings[] = {
    {"already_downsampled", JXL_ENC_FRAME_SETTING_ALREADY_DOWNSAMPLED, false},
    {"brotli_effort", JXL_ENC_FRAME_SETTING_BROTLI_EFFORT, false},
    {"channel_colors_global_percent",
     JXL_ENC_FRAME_SETTING_CHANNEL_COLORS_GLOBAL_PERCENT, true},
    {"channel_colors_group_percent",
     JXL_ENC_FRAME_SETTING_CHANNEL_COLORS_GROUP_PERCENT, true},
    {"color_transform", JXL_ENC_FRAME_SETTING_COLOR_TRANSFORM, false},
    {"decoding_speed", JXL_ENC_FRAME_SETTING_DECODING_SPEED, false},
    {"dots", JXL_ENC_FRAME_SETTING_DOTS, false},
    {"ec_resampling", JXL_ENC_FRAME_SETTING_EXTRA_CHANNEL_RESAMPLING, false},
    {"epf", JXL_ENC_FRAME_SETTING_EPF, false},
    {"extra_channel_resampling", JXL_ENC_FRAME_SETTING_EXTRA_CHANNEL_RESAMPLING,
     false},
    {"faster_decoding", JXL_ENC_FRAME_SETTING_DECODING_SPEED, false},
    {"gaborish", JXL_ENC_FRAME_SETTING_GABORISH, false},
    {"jpeg_recon_cfl", JXL_ENC_FRAME_SETTING_JPEG_RECON_CFL, false},
    {"keep_invisible", JXL_ENC_FRAME_SETTING_KEEP_INVISIBLE, false},
    {"lossy_palette", JXL_ENC_FRAME_SETTING_LOSSY_PALETTE, false},
    {"modular", JXL_ENC_FRAME_SETTING_MODULAR, false},
    {"modular_color_space", JXL_ENC_FRAME_SETTING_MODULAR_COLOR_SPACE, false},
    {"modular_colorspace", JXL_ENC_FRAME_SETTING_MODULAR_COLOR_SPACE, false},
    {"modular_group_size", JXL_ENC_FRAME_SETTING_MODULAR_GROUP_SIZE, false},
    {"modular_ma_tree_learning_percent",
     JXL_ENC_FRAME_SETTING_MODULAR_MA_TREE_LEARNING_PERCENT, true},
    {"modular_nb_prev_channels", JXL_ENC_FRAME_SETTING_MODULAR_NB_PREV_CHANNELS,
     false},
    {"modular_predictor", JXL_ENC_FRAME_SETTING_MODULAR_PREDICTOR, false},
    {"noise", JXL_ENC_FRAME_SETTING_NOISE, false},
    {"palette_colors", JXL_ENC_FRAME_SETTING_PALETTE_COLORS, false},
    {"patches", JXL_ENC_FRAME_SETTING_PATCHES, false},
    {"photon_noise", JXL_ENC_FRAME_SETTING_PHOTON_NOISE, true},
    {"photon_noise_iso", JXL_ENC_FRAME_SETTING_PHOTON_NOISE, true},
    {"progressive_ac", JXL_ENC_FRAME_SETTING_PROGRESSIVE_AC, false},
    {"progressive_dc", JXL_ENC_FRAME_SETTING_PROGRESSIVE_DC, false},
    {"qprogressive_ac", JXL_ENC_FRAME_SETTING_QPROGRESSIVE_AC, false},
    {"resampling", JXL_ENC_FRAME_SETTING_RESAMPLING, false},
    {"responsive", JXL_ENC_FRAME_SETTING_RESPONSIVE, false},
};

[[noreturn]] void invalid(const std::string& message) {
  throw Error(ErrorCode::kInvalidArgument, message);
}

const FrameSetting& find_frame_setting(const std::string& name) {
  for (const FrameSetting& setting : kFrameSettings) {
    if (name == setting.name) return setting;
  }
  std::string valid;
  for (const std::string& known : frame_setting_names()) {
    valid += (valid.empty() ? "" : ", ") + known;
  }
  invalid("unknown frame setting '" + name + "'; valid settings: " + valid);
}

void set_option(JxlEncoderFrameSettings* frame,
                const FrameSetting& setting, double value) {
  JxlEncoderStatus status;
  if (setting.is_float) {
    status = JxlEncoderFrameSettingsSetFloatOption(frame, setting.id,
                                                   static_cast<float>(value));
  } else {
    if (value != std::floor(value) || std::fabs(value) > 1e15) {
      invalid(std::string("frame setting '") + setting.name +
              "' takes an integer, got " + format_number(value));
    }
    status = JxlEncoderFrameSettingsSetOption(frame, setting.id,
                                              static_cast<int64_t>(value));
  }
  if (status != JXL_ENC_SUCCESS) {
    invalid(std::string("invalid value ") + format_number(value) +
            " for frame setting '" + setting.name + "'");
  }
}

// What cjxl's PNM reader reports for the same pixels.
JxlBasicInfo basic_info_for(const ImageView& image, bool lossless, int orientation) {
  JxlBasicInfo info;
  JxlEncoderInitBasicInfo(&info);
  info.xsize = static_cast<uint32_t>(image.width);
  info.ysize = static_cast<uint32_t>(image.height);
  const bool is_float = image.type == SampleType::kFloat32;
  info.bits_per_sample = static_cast<uint32_t>(sample_size(image.type) * 8);
  info.exponent_bits_per_sample = is_float ? 8 : 0;
  const bool has_alpha = image.channels == 2 || image.channels == 4;
  info.num_color_channels = image.channels <= 2 ? 1 : 3;
  info.num_extra_channels = has_alpha ? 1 : 0;
  info.alpha_bits = has_alpha ? info.bits_per_sample : 0;
  info.alpha_exponent_bits = has_alpha ? info.exponent_bits_per_sample : 0;
  info.uses_original_profile = lossless ? JXL_TRUE : JXL_FALSE;
  info.intensity_target = 0;  // cjxl's default: let libjxl choose
  info.orientation = static_cast<JxlOrientation>(orientation);
  return info;
}

// sRGB (or sRGB gray), as cjxl assumes for PNM input.
JxlColorEncoding srgb_for(const ImageView& image) {
  JxlColorEncoding color = {};
  color.color_space = image.channels <= 2 ? JXL_COLOR_SPACE_GRAY : JXL_COLOR_SPACE_RGB;
  color.white_point = JXL_WHITE_POINT_D65;
  color.primaries = JXL_PRIMARIES_SRGB;
  color.transfer_function = JXL_TRANSFER_FUNCTION_SRGB;
  return color;
}

void check_dimensions(const ImageView& image) {
  // The codestream stores sizes in 30 bits; libjxl 0.7 rejects more.
  constexpr size_t kMaxSide = size_t{1} << 30;
  if (image.width > kMaxSide || image.height > kMaxSide) {
    invalid("image of " + std::to_string(image.width) + "x" +
            std::to_string(image.height) +
            " is larger than JPEG XL allows (2^30 per side)");
  }
}

// The last value given for a named frame setting, or `fallback`.
double frame_setting_value(const EncodeSettings& settings, const std::string& name,
                           double fallback) {
  for (const auto& named : settings.frame_settings) {
    if (named.first == name) fallback = named.second;
  }
  return fallback;
}

// Whether the file gets progressive DC frames: asked for by the caller, or
// switched on by libjxl itself at distance >= 4.5 and effort >= 4 (VarDCT).
bool uses_progressive_dc(const EncodeSettings& settings, bool lossless) {
  const double requested = frame_setting_value(settings, "progressive_dc", -1);
  if (requested != -1) return requested > 0;
  const bool modular = lossless || frame_setting_value(settings, "modular", -1) == 1;
  constexpr float kAutomaticFromDistance = 4.5f;  // libjxl's kMinButteraugliDistanceForProgressiveDc
  return !modular && settings.effort >= 4 && settings.distance >= kAutomaticFromDistance;
}

// libjxl 0.7 aborts the process (an assertion in its noise encoder) when the
// simulated photon noise is too strong to store; its strength grows with ISO
// times pixel count and the limit lies near 9.2e11 (measured). Refuse well
// below that.
void check_photon_noise(const ImageView& image, const EncodeSettings& settings) {
  double iso = 0;
  for (const auto& named : settings.frame_settings) {
    if (named.first == "photon_noise" || named.first == "photon_noise_iso") iso = named.second;
  }
  constexpr double kMaxIsoTimesPixels = 8e11;
  const double pixels = static_cast<double>(image.width) * static_cast<double>(image.height);
  if (iso > 0 && iso * pixels > kMaxIsoTimesPixels) {
    invalid("photon_noise_iso=" + format_number(iso) + " is too strong for a " +
            std::to_string(image.width) + "x" + std::to_string(image.height) +
            " image (libjxl 0.7 aborts as ISO x pixels nears 9.2e11): at most " +
            format_number(std::floor(kMaxIsoTimesPixels / pixels)) + " here");
  }
}

}  // namespace

std::vector<std::string> frame_setting_names() {
  std::vector<std::string> names;
  for (const FrameSetting& setting : kFrameSettings) names.push_back(setting.name);
  std::sort(names.begin(), names.end());
  return names;
}

LibjxlVersion libjxl_version() {
  const uint32_t packed = JxlEncoderVersion();  // major * 1000000 + minor * 1000 + patch
  return LibjxlVersion{static_cast<int>(packed / 1000000), static_cast<int>(packed / 1000 % 1000),
                       static_cast<int>(packed % 1000)};
}

std::vector<uint8_t> encode(const ImageView& image,
                            const EncodeSettings& settings) {
  validate_image(image);
  check_dimensions(image);
  check_settings(settings, image.width, image.height);
  for (const auto& named : settings.frame_settings) find_frame_setting(named.first);
  check_photon_noise(image, settings);

  const bool lossless = settings.lossless || settings.distance == 0.0f;
  JxlEncoderPtr owner = JxlEncoderMake(nullptr);
  JxlEncoder* encoder = owner.get();
  if (encoder == nullptr) throw Error(ErrorCode::kInternal, "could not create a libjxl encoder");
  JxlRunner runner(settings.threads, settings.pool);
  if (runner.opaque() != nullptr) {
    check_encoder(encoder, JxlEncoderSetParallelRunner(encoder, JxlThreadParallelRunner, runner.opaque()),
          "JxlEncoderSetParallelRunner");
  }

  JxlEncoderFrameSettings* frame = JxlEncoderFrameSettingsCreate(encoder, nullptr);
  const bool progressive_dc = uses_progressive_dc(settings, lossless);
  EncodeSettings effective = libjxl_settings(settings, progressive_dc);
  effective.lossless = lossless;
  apply_cjxl_defaults(encoder, frame, effective);
  for (const auto& named : settings.frame_settings) {
    set_option(frame, find_frame_setting(named.first), named.second);
  }
  check_encoder(encoder, JxlEncoderUseContainer(encoder, JXL_FALSE), "JxlEncoderUseContainer");
  add_metadata_boxes(encoder, settings.exif, settings.xmp);

  const JxlBasicInfo info = basic_info_for(image, lossless, settings.orientation);
  check_encoder(encoder, JxlEncoderSetCodestreamLevel(encoder, -1), "JxlEncoderSetCodestreamLevel");
  check_encoder(encoder, JxlEncoderSetBasicInfo(encoder, &info), "JxlEncoderSetBasicInfo");
  if (lossless) {
    check_encoder(encoder, JxlEncoderSetFrameLossless(frame, JXL_TRUE), "JxlEncoderSetFrameLossless");
  }
  if (settings.icc_profile.empty()) {
    const JxlColorEncoding color = srgb_for(image);
    check_encoder(encoder, JxlEncoderSetColorEncoding(encoder, &color),
                  "JxlEncoderSetColorEncoding");
  } else if (JxlEncoderSetICCProfile(encoder, settings.icc_profile.data(),
                                     settings.icc_profile.size()) != JXL_ENC_SUCCESS) {
    invalid("the ICC profile (" + std::to_string(settings.icc_profile.size()) +
            " bytes) is not one libjxl can use for " +
            (image.channels <= 2 ? "gray" : "RGB") + " pixels");
  }
  const JxlFrameHeader frame_header = {};
  check_encoder(encoder, JxlEncoderSetFrameHeader(frame, &frame_header), "JxlEncoderSetFrameHeader");
  if (info.alpha_bits > 0) {
    JxlBlendInfo alpha_blend = frame_header.layer_info.blend_info;
    alpha_blend.clamp = JXL_FALSE;
    check_encoder(encoder, JxlEncoderSetExtraChannelBlendInfo(frame, 0, &alpha_blend),
          "JxlEncoderSetExtraChannelBlendInfo");
  }

  const JxlPixelFormat format = {static_cast<uint32_t>(image.channels),
                                 data_type(image.type), JXL_NATIVE_ENDIAN, 0};
  const size_t row_bytes = image.width * image.channels * sample_size(image.type);
  if (image.row_stride == row_bytes) {
    check_encoder(encoder, JxlEncoderAddImageFrame(frame, &format, image.data, row_bytes * image.height),
          "JxlEncoderAddImageFrame");
  } else {
    // libjxl takes packed rows only: repack padded rows once.
    std::vector<uint8_t> packed(row_bytes * image.height);
    for (size_t y = 0; y < image.height; ++y) {
      std::memcpy(packed.data() + y * row_bytes, image.row(y), row_bytes);
    }
    check_encoder(encoder, JxlEncoderAddImageFrame(frame, &format, packed.data(), packed.size()),
          "JxlEncoderAddImageFrame");
  }
  JxlEncoderCloseInput(encoder);
  return finish_group_order(drain_output(encoder), settings, image.width, image.height);
}

}  // namespace attention_jxl

#include "jxl/encoder_setup.h"

#include <string>

#include "attention_jxl/encode.h"
#include "attention_jxl/error.h"
#include "attention_jxl/reorder.h"
#include "jxl/runner.h"

namespace attention_jxl {
namespace {

[[noreturn]] void invalid(const std::string& message) {
  throw Error(ErrorCode::kInvalidArgument, message);
}

void set_int_option(JxlEncoder* encoder, JxlEncoderFrameSettings* frame,
                    JxlEncoderFrameSettingId id, int64_t value,
                    const char* name) {
  check_encoder(encoder, JxlEncoderFrameSettingsSetOption(frame, id, value), name);
}

}  // namespace

std::string format_number(double value) {
  std::string text = std::to_string(value);
  text.erase(text.find_last_not_of('0') + 1);
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text;
}

void check_settings(const EncodeSettings& settings, size_t width, size_t height) {
  if (!(settings.distance >= 0.0f && settings.distance <= 25.0f)) {
    invalid("distance must be in [0, 25], got " +
            format_number(settings.distance));
  }
  if (settings.effort < 1 || settings.effort > 9) {
    invalid("effort must be in [1, 9], got " + std::to_string(settings.effort));
  }
  check_threads(settings.threads);
  if (settings.orientation < 1 || settings.orientation > 8) {
    invalid("orientation must be 1..8, got " + std::to_string(settings.orientation));
  }
  if (!settings.center_first) return;
  const long columns = static_cast<long>(width);
  const long rows = static_cast<long>(height);
  const bool x_ok = settings.center_x == -1 ||
                    (settings.center_x >= 0 && settings.center_x < columns);
  const bool y_ok = settings.center_y == -1 ||
                    (settings.center_y >= 0 && settings.center_y < rows);
  if (!x_ok || !y_ok) {
    invalid("center (" + std::to_string(settings.center_x) + ", " +
            std::to_string(settings.center_y) + ") is outside the " +
            std::to_string(width) + "x" + std::to_string(height) + " image");
  }
}

// libjxl reports failures as a status plus a coarse error code; name the step.
void check_encoder(JxlEncoder* encoder, JxlEncoderStatus status, const char* step) {
  if (status == JXL_ENC_SUCCESS) return;
  const JxlEncoderError error = JxlEncoderGetError(encoder);
  const std::string message =
      std::string("libjxl encoder failed at ") + step + " (error " +
      std::to_string(static_cast<int>(error)) + ")";
  if (error == JXL_ENC_ERR_OOM) throw Error(ErrorCode::kInternal, message + ": out of memory");
  if (error == JXL_ENC_ERR_NOT_SUPPORTED) throw Error(ErrorCode::kUnsupported, message);
  if (error == JXL_ENC_ERR_API_USAGE || error == JXL_ENC_ERR_BAD_INPUT) {
    throw Error(ErrorCode::kInvalidArgument, message);
  }
  throw Error(ErrorCode::kInternal, message);
}

// Every setting cjxl 0.7 makes, so that our defaults equal `cjxl -d D -e E`.
void apply_cjxl_defaults(JxlEncoder* encoder, JxlEncoderFrameSettings* frame,
                         const EncodeSettings& settings) {
  set_int_option(encoder, frame, JXL_ENC_FRAME_SETTING_EFFORT, settings.effort, "effort");
  set_int_option(encoder, frame, JXL_ENC_FRAME_SETTING_BROTLI_EFFORT, 9, "brotli_effort");
  set_int_option(encoder, frame, JXL_ENC_FRAME_SETTING_EPF, -1, "epf");
  set_int_option(encoder, frame, JXL_ENC_FRAME_SETTING_DECODING_SPEED, 0, "decoding_speed");
  set_int_option(encoder, frame, JXL_ENC_FRAME_SETTING_RESAMPLING, -1, "resampling");
  set_int_option(encoder, frame, JXL_ENC_FRAME_SETTING_EXTRA_CHANNEL_RESAMPLING, -1,
                 "extra_channel_resampling");
  check_encoder(encoder,
                JxlEncoderFrameSettingsSetFloatOption(frame, JXL_ENC_FRAME_SETTING_PHOTON_NOISE,
                                                      0.0f),
                "photon_noise");
  set_int_option(encoder, frame, JXL_ENC_FRAME_SETTING_ALREADY_DOWNSAMPLED, 0,
                 "already_downsampled");
  check_encoder(encoder,
                JxlEncoderSetFrameDistance(frame, settings.lossless ? 0.0f : settings.distance),
                "distance");
  if (settings.center_first) {
    set_int_option(encoder, frame, JXL_ENC_FRAME_SETTING_GROUP_ORDER, 1, "group_order");
  }
  set_int_option(encoder, frame, JXL_ENC_FRAME_SETTING_GROUP_ORDER_CENTER_X,
                 settings.center_first ? settings.center_x : -1, "center_x");
  set_int_option(encoder, frame, JXL_ENC_FRAME_SETTING_GROUP_ORDER_CENTER_Y,
                 settings.center_first ? settings.center_y : -1, "center_y");
  set_int_option(encoder, frame, JXL_ENC_FRAME_SETTING_PROGRESSIVE_DC, -1, "progressive_dc");
  set_int_option(encoder, frame, JXL_ENC_FRAME_SETTING_PROGRESSIVE_AC, 0, "progressive_ac");
  set_int_option(encoder, frame, JXL_ENC_FRAME_SETTING_MODULAR_GROUP_SIZE, -1,
                 "modular_group_size");
  set_int_option(encoder, frame, JXL_ENC_FRAME_SETTING_MODULAR_PREDICTOR, -1,
                 "modular_predictor");
  set_int_option(encoder, frame, JXL_ENC_FRAME_SETTING_MODULAR_COLOR_SPACE, -1,
                 "modular_color_space");
  check_encoder(encoder,
                JxlEncoderFrameSettingsSetFloatOption(
                    frame, JXL_ENC_FRAME_SETTING_MODULAR_MA_TREE_LEARNING_PERCENT, -1.0f),
                "modular_ma_tree_learning_percent");
  set_int_option(encoder, frame, JXL_ENC_FRAME_SETTING_MODULAR_NB_PREV_CHANNELS, -1,
                 "modular_nb_prev_channels");
  set_int_option(encoder, frame, JXL_ENC_FRAME_SETTING_LOSSY_PALETTE, 0, "lossy_palette");
  set_int_option(encoder, frame, JXL_ENC_FRAME_SETTING_PALETTE_COLORS, -1, "palette_colors");
  check_encoder(encoder,
                JxlEncoderFrameSettingsSetFloatOption(
                    frame, JXL_ENC_FRAME_SETTING_CHANNEL_COLORS_GLOBAL_PERCENT, -1.0f),
                "channel_colors_global_percent");
  check_encoder(encoder,
                JxlEncoderFrameSettingsSetFloatOption(
                    frame, JXL_ENC_FRAME_SETTING_CHANNEL_COLORS_GROUP_PERCENT, -1.0f),
                "channel_colors_group_percent");
}

namespace {

bool chunked_encoder() {
  const LibjxlVersion version = libjxl_version();
  return version.major > 0 || version.minor >= 10;
}

}  // namespace

EncodeSettings libjxl_settings(const EncodeSettings& settings, bool progressive_dc) {
  EncodeSettings given = settings;
  given.center_first = settings.center_first && !progressive_dc;
  return given;
}

std::vector<uint8_t> finish_group_order(std::vector<uint8_t> file, const EncodeSettings& settings,
                                        size_t width, size_t height) {
  if (!settings.center_first) {
    // libjxl's default order, made progressive where the chunked encoder
    // interleaved it (the bytes stay as they are where it did not).
    return chunked_encoder() ? reorder_scanline(file.data(), file.size()) : file;
  }
  const Point center{settings.center_x >= 0 ? settings.center_x : static_cast<long>(width / 2),
                     settings.center_y >= 0 ? settings.center_y : static_cast<long>(height / 2)};
  std::vector<uint8_t> wanted = reorder(file.data(), file.size(), center, CenterPixels::kStored);
  // Where libjxl honoured the order, its bytes are cjxl's: keep them.
  if (same_section_order(file.data(), file.size(), wanted.data(), wanted.size())) return file;
  return wanted;
}

std::vector<uint8_t> drain_output(JxlEncoder* encoder) {
  std::vector<uint8_t> out(64 * 1024);
  uint8_t* next = out.data();
  size_t available = out.size();
  JxlEncoderStatus status;
  while ((status = JxlEncoderProcessOutput(encoder, &next, &available)) ==
         JXL_ENC_NEED_MORE_OUTPUT) {
    const size_t written = static_cast<size_t>(next - out.data());
    out.resize(out.size() * 2);
    next = out.data() + written;
    available = out.size() - written;
  }
  check_encoder(encoder, status, "JxlEncoderProcessOutput");
  out.resize(static_cast<size_t>(next - out.data()));
  return out;
}

}  // namespace attention_jxl

#include "attention_jxl/transcode.h"

#include <jxl/encode.h>
#include <jxl/encode_cxx.h>

#include <string>
#include <utility>

#include "attention_jxl/error.h"
#include "image/jpeg_decode.h"
#include "jxl/encoder_setup.h"
#include "jxl/runner.h"

namespace attention_jxl {
namespace {

// The settings cjxl 0.7 uses for a JPEG it recompresses. Its distance stays at
// 1: cjxl only defaults to 0 for JPEGs it decodes to pixels.
EncodeSettings cjxl_settings(const TranscodeSettings& settings) {
  EncodeSettings options;
  options.distance = 1.0f;
  options.effort = settings.effort;
  options.center_first = settings.center_first;
  options.center_x = settings.center_x;
  options.center_y = settings.center_y;
  options.threads = settings.threads;
  options.pool = settings.pool;
  return options;
}

[[noreturn]] void unsupported(const std::string& message) {
  throw Error(ErrorCode::kUnsupported, message);
}

// What libjxl 0.7's JPEG reader refuses, with a message saying why (libjxl
// itself only reports "bad input"). libjxl still has the last word.
void check_recompressible(const JpegHeader& header) {
  if (header.arithmetic) {
    unsupported("arithmetic-coded JPEG: libjxl can only recompress Huffman-coded JPEGs");
  }
  if (header.bits_per_sample != 8) {
    unsupported(std::to_string(header.bits_per_sample) +
                "-bit JPEG: libjxl can only recompress 8-bit JPEGs");
  }
  if (header.components != 1 && header.components != 3) {
    unsupported("JPEG with " + std::to_string(header.components) +
                " components: libjxl can only recompress gray or 3-component JPEGs");
  }
}

void add_jpeg_frame(JxlEncoder* encoder, JxlEncoderFrameSettings* frame, const uint8_t* data,
                    size_t size) {
  if (JxlEncoderAddJPEGFrame(frame, data, size) == JXL_ENC_SUCCESS) return;
  const JxlEncoderError error = JxlEncoderGetError(encoder);
  if (error == JXL_ENC_ERR_BAD_INPUT) {
    unsupported(
        "libjxl cannot recompress this JPEG losslessly: its JPEG reader rejected the data "
        "(corrupt, or a feature it lacks, e.g. unusual chroma subsampling)");
  }
  if (error == JXL_ENC_ERR_JBRD) {
    unsupported("libjxl cannot store the data needed to reconstruct this JPEG exactly");
  }
  check_encoder(encoder, JXL_ENC_ERROR, "JxlEncoderAddJPEGFrame");
}

}  // namespace

std::vector<uint8_t> transcode_jpeg(const uint8_t* data, size_t size,
                                    const TranscodeSettings& settings) {
  const EncodeSettings options = cjxl_settings(settings);
  EncodeSettings without_center = options;  // bad settings fail before the data is read
  without_center.center_first = false;
  check_settings(without_center, 0, 0);
  const JpegHeader header = read_jpeg_header(data, size);
  check_recompressible(header);
  check_settings(options, header.width, header.height);

  JxlEncoderPtr owner = JxlEncoderMake(nullptr);
  JxlEncoder* encoder = owner.get();
  if (encoder == nullptr) throw Error(ErrorCode::kInternal, "could not create a libjxl encoder");
  JxlRunner runner(settings.threads, settings.pool);
  if (runner.opaque() != nullptr) {
    check_encoder(encoder,
                  JxlEncoderSetParallelRunner(encoder, JxlThreadParallelRunner, runner.opaque()),
                  "JxlEncoderSetParallelRunner");
  }
  JxlEncoderFrameSettings* frame = JxlEncoderFrameSettingsCreate(encoder, nullptr);
  apply_cjxl_defaults(encoder, frame, libjxl_settings(options, /*progressive_dc=*/false));
  // cjxl's order: the container (needed for the JPEG reconstruction box),
  // the request to store that box, then the JPEG itself.
  check_encoder(encoder, JxlEncoderUseContainer(encoder, JXL_TRUE), "JxlEncoderUseContainer");
  check_encoder(encoder, JxlEncoderStoreJPEGMetadata(encoder, JXL_TRUE),
                "JxlEncoderStoreJPEGMetadata");
  add_jpeg_frame(encoder, frame, data, size);
  JxlEncoderCloseInput(encoder);
  return finish_group_order(drain_output(encoder), options, header.width, header.height);
}

JpegCenter predict_jpeg_center(const Model& model, const uint8_t* data, size_t size) {
  const DecodedJpeg decoded = decode_jpeg(data, size);
  JpegCenter result;
  const ExifOrientation& orientation = decoded.header.orientation;
  if (!orientation.problem.empty()) {
    result.warnings.push_back(orientation.problem + "; taking the image as upright");
  }
  result.orientation = orientation.value;
  result.center = predict_center(model, decoded.image.view(), orientation.value);
  return result;
}

std::vector<uint8_t> transcode_jpeg_center_first(const Model& model, const uint8_t* data,
                                                 size_t size, TranscodeSettings settings,
                                                 std::vector<std::string>* warnings) {
  // Fail on bad settings or a JPEG libjxl refuses before running the model.
  TranscodeSettings without_center = settings;
  without_center.center_first = false;
  check_settings(cjxl_settings(without_center), 0, 0);
  check_recompressible(read_jpeg_header(data, size));

  JpegCenter center = predict_jpeg_center(model, data, size);
  settings.center_first = true;
  settings.center_x = center.center.x;
  settings.center_y = center.center.y;
  std::vector<uint8_t> encoded = transcode_jpeg(data, size, settings);
  if (warnings != nullptr) {
    for (std::string& warning : center.warnings) warnings->push_back(std::move(warning));
  }
  return encoded;
}

}  // namespace attention_jxl

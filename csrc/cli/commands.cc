#include "cli/commands.h"

#include <cstring>

namespace attention_jxl::cli {
namespace {

constexpr uint8_t kPngMagic[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

bool starts_with(const std::vector<uint8_t>& data, const uint8_t* magic, size_t size) {
  return data.size() >= size && std::memcmp(data.data(), magic, size) == 0;
}

// P1..P7: pnm_decode reads the binary ones and names what it does not read.
bool is_netpbm(const std::vector<uint8_t>& data) {
  return data.size() >= 2 && data[0] == 'P' && data[1] >= '1' && data[1] <= '7';
}

}  // namespace

bool is_jpeg(const std::vector<uint8_t>& data) {
  static constexpr uint8_t kJpegMagic[] = {0xff, 0xd8, 0xff};
  return starts_with(data, kJpegMagic, sizeof(kJpegMagic));
}

InputImage read_image(const std::vector<uint8_t>& data, const std::string& name) {
  InputImage input;
  if (starts_with(data, kPngMagic, sizeof(kPngMagic))) {
    DecodedPng png = png_decode(data.data(), data.size());
    input.image = std::move(png.image);
    input.icc_profile = std::move(png.icc);
    input.orientation = png.orientation;
    if (!png.orientation_problem.empty()) {
      input.warnings.push_back(name + ": ignoring unreadable EXIF orientation (" +
                               png.orientation_problem + ")");
    }
  } else if (is_netpbm(data)) {
    input.image = pnm_decode(data.data(), data.size());
  } else {
    throw Error(ErrorCode::kUnsupported,
                name + " is not a PNG, JPEG or binary PGM/PPM/PAM file");
  }
  return input;
}

Converted encode_file(const Model* model, const std::vector<uint8_t>& data,
                      const std::string& name, const EncodeOptions& options) {
  const bool predict = options.center == EncodeOptions::Center::kPredict;
  if (predict && model == nullptr) throw Error(ErrorCode::kInvalidArgument, "no model");
  Converted result;
  if (is_jpeg(data)) {
    TranscodeSettings settings;
    settings.effort = options.effort;
    if (predict) {
      const JpegCenter found = predict_jpeg_center(*model, data.data(), data.size());
      result.center = found.center;
      for (const std::string& warning : found.warnings) result.warnings.push_back(name + ": " + warning);
    } else if (options.center == EncodeOptions::Center::kGiven) {
      result.center = options.given;
    }
    if (result.center) {
      settings.center_first = true;
      settings.center_x = result.center->x;
      settings.center_y = result.center->y;
    }
    result.bytes = transcode_jpeg(data.data(), data.size(), settings);
    return result;
  }

  InputImage input = read_image(data, name);
  result.warnings = std::move(input.warnings);
  const ImageView view = input.image.view();
  if (predict) {
    result.center = predict_center(*model, view, input.orientation);
  } else if (options.center == EncodeOptions::Center::kGiven) {
    result.center = options.given;
  }
  EncodeSettings settings;
  settings.distance = options.distance;
  settings.effort = options.effort;
  settings.lossless = options.lossless;
  settings.icc_profile = std::move(input.icc_profile);
  settings.orientation = input.orientation;
  if (result.center) {
    settings.center_first = true;
    settings.center_x = result.center->x;
    settings.center_y = result.center->y;
  }
  result.bytes = encode(view, settings);
  return result;
}

Converted center_of_file(const Model& model, const std::vector<uint8_t>& data,
                         const std::string& name) {
  Converted result;
  if (is_jpeg(data)) {
    const JpegCenter found = predict_jpeg_center(model, data.data(), data.size());
    result.center = found.center;
    for (const std::string& warning : found.warnings) result.warnings.push_back(name + ": " + warning);
    return result;
  }
  InputImage input = read_image(data, name);
  result.warnings = std::move(input.warnings);
  result.center = predict_center(model, input.image.view(), input.orientation);
  return result;
}

Converted reorder_file(const Model* model, const std::vector<uint8_t>& data,
                       const std::optional<Point>& given) {
  if (!given && model == nullptr) throw Error(ErrorCode::kInvalidArgument, "no model");
  Converted result;
  result.center = given ? *given : predict_jxl_center(*model, data.data(), data.size());
  result.bytes = reorder(data.data(), data.size(), *result.center);
  return result;
}

}  // namespace attention_jxl::cli

// The work of one file for attention-jxl-native, through the public C++ API.
#pragma once

#include <attention_jxl/attention_jxl.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace attention_jxl::cli {

// What a file's bytes decode to, with the metadata the encoder keeps.
struct InputImage {
  DecodedImage image;
  std::vector<uint8_t> icc_profile;
  int orientation = 1;
  std::vector<std::string> warnings;
};

// PNG and binary PGM/PPM/PAM, told apart by their magic bytes.
InputImage read_image(const std::vector<uint8_t>& data, const std::string& name);

bool is_jpeg(const std::vector<uint8_t>& data);

struct EncodeOptions {
  float distance = 1.0f;
  int effort = 7;
  bool lossless = false;
  enum class Center { kPredict, kGiven, kNone } center = Center::kPredict;
  Point given;
};

struct Converted {
  std::vector<uint8_t> bytes;
  std::optional<Point> center;
  std::vector<std::string> warnings;
};

// As `attention-jxl encode`: JPEGs are recompressed losslessly, other images
// encoded from their pixels with their ICC profile and EXIF orientation.
// `model` may be null unless the center is predicted.
Converted encode_file(const Model* model, const std::vector<uint8_t>& data,
                      const std::string& name, const EncodeOptions& options);

// As `attention-jxl center`: the center in stored pixels.
Converted center_of_file(const Model& model, const std::vector<uint8_t>& data,
                         const std::string& name);

// As `attention-jxl reorder`: around `given` (displayed pixels) or the
// center predicted from the decoded file.
Converted reorder_file(const Model* model, const std::vector<uint8_t>& data,
                       const std::optional<Point>& given);

}  // namespace attention_jxl::cli

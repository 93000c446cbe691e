#include "attention_jxl/image.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "attention_jxl/error.h"
#include "attention_jxl/limits.h"

namespace attention_jxl {

size_t sample_size(SampleType type) {
  switch (type) {
    case SampleType::kUint8:
      return 1;
    case SampleType::kUint16:
      return 2;
    case SampleType::kFloat32:
      return 4;
  }
  return 0;
}

namespace {

void invalid(const std::string& message) {
  throw Error(ErrorCode::kInvalidArgument, message);
}

// Whether any of `count` floats is NaN or infinite (all exponent bits set).
// Branch-free over the row so that it vectorizes: the check reads every
// sample of a float image, as many bytes as the resize itself.
bool has_non_finite(const uint8_t* row, size_t count) {
  constexpr uint32_t kExponent = 0x7f800000u;
  uint32_t found = 0;
  for (size_t i = 0; i < count; ++i) {
    uint32_t bits;
    std::memcpy(&bits, row + i * sizeof(float), sizeof(bits));
    found |= static_cast<uint32_t>((bits & kExponent) == kExponent);
  }
  return found != 0;
}

void check_finite(const ImageView& image) {
  const size_t samples_per_row = image.width * image.channels;
  for (size_t y = 0; y < image.height; ++y) {
    const uint8_t* row = image.row(y);
    if (!has_non_finite(row, samples_per_row)) continue;
    for (size_t i = 0; i < samples_per_row; ++i) {
      float value;
      std::memcpy(&value, row + i * sizeof(float), sizeof(float));
      if (!std::isfinite(value)) {
        invalid("image contains a non-finite float sample (NaN or inf) at row " +
                std::to_string(y) + ", column " +
                std::to_string(i / image.channels));
      }
    }
  }
}

}  // namespace

void validate_image(const ImageView& image) {
  if (image.data == nullptr) invalid("image has no pixel data");
  if (image.width == 0 || image.height == 0) {
    invalid("image is empty (" + std::to_string(image.width) + "x" +
            std::to_string(image.height) + ")");
  }
  if (image.channels < 1 || image.channels > 4) {
    invalid("image must have 1 to 4 channels (gray, gray+alpha, RGB, RGBA), "
            "got " + std::to_string(image.channels));
  }
  check_image_pixels(image.width, image.height, "image");
  const size_t max = std::numeric_limits<size_t>::max();
  const size_t sample_bytes = sample_size(image.type);
  if (image.width > max / image.channels / sample_bytes) {
    invalid("image is too wide");
  }
  const size_t row_bytes = image.width * image.channels * sample_bytes;
  if (image.row_stride < row_bytes) {
    invalid("row stride " + std::to_string(image.row_stride) +
            " is smaller than a row of pixels (" + std::to_string(row_bytes) +
            " bytes)");
  }
  if (image.height > max / image.row_stride) invalid("image is too tall");
  // Samples are read through typed pointers.
  if (reinterpret_cast<uintptr_t>(image.data) % sample_bytes != 0 ||
      image.row_stride % sample_bytes != 0) {
    invalid("image data and row stride must be aligned to the sample size (" +
            std::to_string(sample_bytes) + " bytes)");
  }
  if (image.type == SampleType::kFloat32) check_finite(image);
}

ImageView DecodedImage::view() const {
  ImageView view;
  view.data = pixels.data();
  view.width = width;
  view.height = height;
  view.channels = channels;
  view.type = type;
  view.row_stride = width * channels * sample_size(type);
  return view;
}

}  // namespace attention_jxl

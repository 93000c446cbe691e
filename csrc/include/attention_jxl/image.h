// Images: a borrowed view of interleaved pixels (the one image type the core
// accepts) and pixels owned in the same layout.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "attention_jxl/export.h"

namespace attention_jxl {

enum class SampleType { kUint8, kUint16, kFloat32 };

ATTENTION_JXL_EXPORT size_t sample_size(SampleType type);

// Pixels are interleaved (1 = gray, 2 = gray+alpha, 3 = RGB, 4 = RGBA) and
// packed within a row; rows may be padded (row_stride >= width * channels *
// sample_size). Float samples are nominally in [0, 1].
struct ImageView {
  const void* data = nullptr;
  size_t width = 0;
  size_t height = 0;
  size_t channels = 0;
  SampleType type = SampleType::kUint8;
  size_t row_stride = 0;  // bytes between the starts of two rows

  const uint8_t* row(size_t y) const {
    return static_cast<const uint8_t*>(data) + y * row_stride;
  }
};

// Interleaved, tightly packed pixels owned by the image (decoders return these).
struct ATTENTION_JXL_EXPORT DecodedImage {
  size_t width = 0;
  size_t height = 0;
  size_t channels = 0;  // color channels (1 or 3) plus alpha when present
  SampleType type = SampleType::kUint8;
  std::vector<uint8_t> pixels;

  ImageView view() const;
};

// Throws Error(kInvalidArgument) naming the problem when the view is empty,
// has an unsupported channel count, an impossible stride, or (for float
// images) a NaN or infinite sample; Error(kTooLarge) when it is over
// max_image_pixels() (limits.h).
ATTENTION_JXL_EXPORT void validate_image(const ImageView& image);

}  // namespace attention_jxl

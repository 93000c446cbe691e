// tf.image.resize_with_pad(..., method="bicubic", antialias=True), which runs
// TF's ScaleAndTranslate kernel: a separable Keys cubic filter, widened by the
// downscale factor, applied first along rows (vertical) and then along columns
// (horizontal), accumulating in float32 in the same order as TF. Float input
// gives TF's output bit for bit. For integer input the 1/255 (1/65535) scaling
// is folded into the horizontal weights instead of dividing every sample; that
// saves a multiply per sample and stays within ~5e-7 of TF.
//
// This file holds the geometry and the padding; resize_spans.cc the filter
// weights, resize_filter.cc the SIMD passes.
#include "attention_jxl/resize.h"

#include <algorithm>
#include <cmath>

#include "attention_jxl/error.h"
#include "image/resize_filter.h"
#include "image/resize_spans.h"

namespace attention_jxl {
namespace {

// Maps samples to [0, 1]: 1 / the sample value that means full intensity.
float sample_scale(SampleType type) {
  switch (type) {
    case SampleType::kUint8: return 1.0f / 255.0f;
    case SampleType::kUint16: return 1.0f / 65535.0f;
    case SampleType::kFloat32: return 1.0f;
  }
  return 1.0f;
}

// Zeroes everything of the target outside the resized image.
void zero_padding(const PadGeometry& geometry, size_t target_width,
                  size_t target_height, float* out) {
  const size_t row_floats = target_width * 3;
  const size_t bottom = geometry.pad_top + geometry.resized_height;
  std::fill_n(out, geometry.pad_top * row_floats, 0.0f);
  std::fill_n(out + bottom * row_floats, (target_height - bottom) * row_floats,
              0.0f);
  const size_t right = geometry.pad_left + geometry.resized_width;
  for (size_t y = geometry.pad_top; y < bottom; ++y) {
    float* row = out + y * row_floats;
    std::fill_n(row, geometry.pad_left * 3, 0.0f);
    std::fill_n(row + right * 3, (target_width - right) * 3, 0.0f);
  }
}

}  // namespace

PadGeometry resize_with_pad_geometry(size_t width, size_t height,
                                     size_t target_width,
                                     size_t target_height) {
  if (width == 0 || height == 0) {
    throw Error(ErrorCode::kInvalidArgument, "image has zero width or height");
  }
  if (target_width == 0 || target_height == 0) {
    throw Error(ErrorCode::kInvalidArgument, "target size must be positive");
  }
  // TF does all of this in float32.
  const float f_width = static_cast<float>(width);
  const float f_height = static_cast<float>(height);
  const float f_target_width = static_cast<float>(target_width);
  const float f_target_height = static_cast<float>(target_height);
  const float ratio =
      std::max(f_width / f_target_width, f_height / f_target_height);
  const float resized_width = f_width / ratio;
  const float resized_height = f_height / ratio;
  const float pad_left = std::floor((f_target_width - resized_width) / 2.0f);
  const float pad_top = std::floor((f_target_height - resized_height) / 2.0f);

  PadGeometry geometry;
  geometry.resized_width = static_cast<size_t>(std::floor(resized_width));
  geometry.resized_height = static_cast<size_t>(std::floor(resized_height));
  geometry.pad_left = static_cast<size_t>(std::max(0.0f, pad_left));
  geometry.pad_top = static_cast<size_t>(std::max(0.0f, pad_top));
  return geometry;
}

void resize_with_pad(const ImageView& image, size_t target_width,
                     size_t target_height, float* out) {
  validate_image(image);
  const PadGeometry geometry = resize_with_pad_geometry(
      image.width, image.height, target_width, target_height);
  if (geometry.resized_width == 0 || geometry.resized_height == 0) {
    // TF fails here too: it cannot resize to an empty image.
    throw Error(ErrorCode::kInvalidArgument,
                "image aspect ratio is too extreme: it resizes to zero pixels");
  }
  const AxisSpans rows =
      compute_spans(image.height, geometry.resized_height, 1.0f);
  const AxisSpans columns = compute_spans(
      image.width, geometry.resized_width, sample_scale(image.type));

  zero_padding(geometry, target_width, target_height, out);
  const size_t out_row_floats = target_width * 3;
  filter_separably(image, rows, columns,
                   out + geometry.pad_top * out_row_floats + geometry.pad_left * 3,
                   out_row_floats);
}

}  // namespace attention_jxl

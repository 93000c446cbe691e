#include "attention_jxl/thumbnail.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "attention_jxl/error.h"
#include "attention_jxl/resample.h"
#include "attention_jxl/saliency.h"

namespace attention_jxl {
namespace {

ImageView sub_view(const ImageView& image, const Box& box) {
  ImageView view = image;
  view.data = image.row(static_cast<size_t>(box.y)) +
              static_cast<size_t>(box.x) * image.channels * sample_size(image.type);
  view.width = static_cast<size_t>(box.width);
  view.height = static_cast<size_t>(box.height);
  return view;
}

DecodedImage copy_of(const ImageView& view) {
  DecodedImage out;
  out.width = view.width;
  out.height = view.height;
  out.channels = view.channels;
  out.type = view.type;
  const size_t row_bytes = view.width * view.channels * sample_size(view.type);
  out.pixels.resize(row_bytes * view.height);
  for (size_t y = 0; y < view.height; ++y) {
    std::memcpy(out.pixels.data() + y * row_bytes, view.row(y), row_bytes);
  }
  return out;
}

}  // namespace

DecodedImage thumbnail(const Model* model, const ImageView& image, size_t width, size_t height,
                       Fit fit, int orientation) {
  if (width == 0 || height == 0) {
    throw Error(ErrorCode::kInvalidArgument, "thumbnail size must be positive");
  }
  if (orientation < 1 || orientation > 8) {
    throw Error(ErrorCode::kInvalidArgument,
                "orientation must be 1..8, got " + std::to_string(orientation));
  }
  validate_image(image);
  ImageView region = image;
  if (fit == Fit::kCover) {
    if (model == nullptr) {
      throw Error(ErrorCode::kInvalidArgument, "a cover thumbnail needs the model");
    }
    const SaliencyMap map = predict_saliency(*model, image, orientation);
    const double aspect = static_cast<double>(width) / static_cast<double>(height);
    region = sub_view(image, crop_box_for_aspect(map, image.width, image.height, aspect));
  } else {
    const double scale = std::min(static_cast<double>(width) / static_cast<double>(image.width),
                                  static_cast<double>(height) / static_cast<double>(image.height));
    const auto scaled = [scale](size_t size, size_t limit) {
      const double value = std::nearbyint(static_cast<double>(size) * scale);
      return std::min(limit, static_cast<size_t>(std::max(1.0, value)));
    };
    width = scaled(image.width, width);
    height = scaled(image.height, height);
  }
  // Smaller than the target in one direction: it is never enlarged, and
  // shrinking the other direction alone would distort it.
  const bool smaller = region.width < width || region.height < height;
  if (smaller || (region.width == width && region.height == height)) return copy_of(region);
  return resample(region, width, height);
}

}  // namespace attention_jxl

#include "image/image_region.h"

#include <algorithm>
#include <cmath>

#include "attention_jxl/model.h"

namespace attention_jxl {

Region image_region(size_t width, size_t height) {
  const double padded_width = Model::kInputWidth;
  const double padded_height = Model::kInputHeight;
  const double padded_aspect = padded_height / padded_width;
  const double image_aspect = static_cast<double>(height) / static_cast<double>(width);
  if (padded_aspect > image_aspect) {  // bands above and below
    // Python's round() rounds half to even, as nearbyint does by default.
    const double valid_height = std::nearbyint(padded_width * image_aspect);
    const double top = std::floor((padded_height - valid_height) / 2);
    return {0, top, padded_width, valid_height + top - 1};
  }
  if (padded_aspect < image_aspect) {  // bands left and right
    const double valid_width = std::nearbyint(padded_height / image_aspect);
    const double left = std::floor((padded_width - valid_width) / 2);
    return {left, 0, valid_width + left - 1, padded_height};
  }
  return {0, 0, padded_width, padded_height};
}

PixelWindow image_window(size_t width, size_t height) {
  const Region region = image_region(width, height);
  // right/bottom are the last pixel inside, except on the side without bands
  // where they are the input's size.
  const auto span = [](double first, double last, size_t size) {
    const double end = last >= static_cast<double>(size) ? static_cast<double>(size) : last + 1;
    return static_cast<size_t>(std::max(1.0, end - first));
  };
  return {static_cast<size_t>(region.left), static_cast<size_t>(region.top),
          span(region.left, region.right, Model::kInputWidth),
          span(region.top, region.bottom, Model::kInputHeight)};
}

}  // namespace attention_jxl

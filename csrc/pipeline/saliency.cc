// The saliency map: the same resize and inference as predict_center, the
// padding cut away, turned back to the stored orientation.
#include "attention_jxl/saliency.h"

#include <algorithm>
#include <string>
#include <vector>

#include "attention_jxl/error.h"
#include "attention_jxl/resize.h"
#include "image/image_region.h"
#include "image/orientation.h"

namespace attention_jxl {
namespace {

SaliencyMap predict_upright(const Model& model, const ImageView& image) {
  const PixelWindow window = image_window(image.width, image.height);
  SaliencyMap map;
  map.width = window.width;
  map.height = window.height;
  const PadGeometry geometry = resize_with_pad_geometry(
      image.width, image.height, Model::kInputWidth, Model::kInputHeight);
  if (geometry.resized_width == 0 || geometry.resized_height == 0) {
    // The model would see only padding (see predict_center): no preference
    // anywhere, and the fallback center.
    map.values.assign(map.width * map.height, 1.0f);
    map.center = {static_cast<long>(image.width / 2), static_cast<long>(image.height / 2)};
    return map;
  }
  thread_local std::vector<float> input(Model::kInputWidth * Model::kInputHeight * 3);
  thread_local std::vector<float> full(Model::kSaliencyFloats);
  resize_with_pad(image, Model::kInputWidth, Model::kInputHeight, input.data());
  map.center = model_point_to_image(model.infer(input.data(), full.data()), image.width,
                                    image.height);
  map.values.resize(map.width * map.height);
  for (size_t y = 0; y < map.height; ++y) {
    const float* from = full.data() + (window.y + y) * Model::kInputWidth + window.x;
    std::copy(from, from + map.width, map.values.begin() + static_cast<long>(y * map.width));
  }
  return map;
}

}  // namespace

SaliencyMap predict_saliency(const Model& model, const ImageView& image, int orientation) {
  if (orientation < 1 || orientation > 8) {
    throw Error(ErrorCode::kInvalidArgument,
                "orientation must be 1..8, got " + std::to_string(orientation));
  }
  validate_image(image);
  if (orientation == 1) return predict_upright(model, image);
  const DecodedImage upright_image = to_upright(image, orientation);
  const SaliencyMap upright = predict_upright(model, upright_image.view());
  // The map turns like the pixels: each upright cell goes where
  // upright_to_stored sends it in a map of the stored proportions.
  const bool swaps = orientation >= 5;
  SaliencyMap stored;
  stored.width = swaps ? upright.height : upright.width;
  stored.height = swaps ? upright.width : upright.height;
  stored.values.resize(upright.values.size());
  for (size_t y = 0; y < upright.height; ++y) {
    for (size_t x = 0; x < upright.width; ++x) {
      const Point to = upright_to_stored({static_cast<long>(x), static_cast<long>(y)},
                                         orientation, stored.width, stored.height);
      stored.values[static_cast<size_t>(to.y) * stored.width + static_cast<size_t>(to.x)] =
          upright.at(x, y);
    }
  }
  stored.center = upright_to_stored(upright.center, orientation, image.width, image.height);
  return stored;
}

}  // namespace attention_jxl

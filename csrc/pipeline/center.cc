#include "attention_jxl/center.h"

#include <cmath>
#include <vector>

#include "attention_jxl/decode.h"
#include "attention_jxl/error.h"
#include "attention_jxl/reorder.h"
#include "attention_jxl/resize.h"
#include "image/image_region.h"
#include "image/orientation.h"

namespace attention_jxl {

Point model_point_to_image(ModelPoint point, size_t width, size_t height) {
  const Region region = image_region(width, height);
  const double x = point.x;
  const double y = point.y;
  const bool inside = region.left <= x && x <= region.right &&
                      region.top <= y && y <= region.bottom;
  if (!inside) {
    return {static_cast<long>(width / 2), static_cast<long>(height / 2)};
  }
  const double scale = static_cast<double>(height) / (region.bottom - region.top);
  // int() in Python truncates toward zero; both values are >= 0 here.
  Point center{static_cast<long>((x - region.left) * scale),
               static_cast<long>((y - region.top) * scale)};
  // The published mapping can land one past the edge; keep it in the image.
  if (center.x >= static_cast<long>(width)) center.x = static_cast<long>(width) - 1;
  if (center.y >= static_cast<long>(height)) center.y = static_cast<long>(height) - 1;
  return center;
}

Point predict_center(const Model& model, const ImageView& image) {
  validate_image(image);
  const PadGeometry geometry = resize_with_pad_geometry(
      image.width, image.height, Model::kInputWidth, Model::kInputHeight);
  if (geometry.resized_width == 0 || geometry.resized_height == 0) {
    // So thin that it shrinks to nothing (TF itself fails here): the model
    // would see only padding, so take the fallback the mapping uses.
    return {static_cast<long>(image.width / 2), static_cast<long>(image.height / 2)};
  }
  // One input buffer per thread: centers are computed millions of times.
  thread_local std::vector<float> input(Model::kInputWidth * Model::kInputHeight * 3);
  resize_with_pad(image, Model::kInputWidth, Model::kInputHeight, input.data());
  return model_point_to_image(model.infer(input.data()), image.width, image.height);
}

Point predict_center(const Model& model, const ImageView& stored, int orientation) {
  if (orientation < 1 || orientation > 8) {
    throw Error(ErrorCode::kInvalidArgument,
                "orientation must be 1..8, got " + std::to_string(orientation));
  }
  if (orientation == 1) return predict_center(model, stored);
  validate_image(stored);
  const DecodedImage upright = to_upright(stored, orientation);
  return upright_to_stored(predict_center(model, upright.view()), orientation, stored.width,
                           stored.height);
}

std::vector<uint8_t> encode_center_first(const Model& model, const ImageView& image,
                                         EncodeSettings settings) {
  const Point center = predict_center(model, image, settings.orientation);
  settings.center_first = true;
  settings.center_x = center.x;
  settings.center_y = center.y;
  return encode(image, settings);
}

Point predict_jxl_center(const Model& model, const uint8_t* data, size_t size, bool dc_only) {
  if (!dc_only) return predict_center(model, decode(data, size).view());
  const std::vector<uint8_t> prefix = lf_prefix(data, size);
  const DecodedImage dc = decode(prefix.data(), prefix.size(), /*threads=*/0, /*partial=*/true);
  return predict_center(model, dc.view());
}

}  // namespace attention_jxl

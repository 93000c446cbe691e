// The model's saliency map over an image, and the crop windows it suggests.
#pragma once

#include <cstddef>
#include <vector>

#include "attention_jxl/center.h"
#include "attention_jxl/export.h"
#include "attention_jxl/image.h"
#include "attention_jxl/model.h"
#include "attention_jxl/types.h"

namespace attention_jxl {

// Where people look, over the image's own area at model resolution (the
// model input without its padding, e.g. 640x427 for a 3:2 landscape image).
struct SaliencyMap {
  size_t width = 0;
  size_t height = 0;
  std::vector<float> values;  // height * width, row-major, in [0, 1]
  Point center;               // the predicted center, in image pixels

  float at(size_t x, size_t y) const { return values[y * width + x]; }
};

// One resize and one inference give both the map and the center (the same
// center predict_center returns). With an EXIF orientation (1..8) the model
// sees the image upright; map and center are in the stored pixels'
// orientation (orientations 5..8 swap the map's width and height).
ATTENTION_JXL_EXPORT SaliencyMap predict_saliency(const Model& model, const ImageView& image, int orientation = 1);

// The crop_width x crop_height window of an image_width x image_height image
// holding the most saliency. Each map cell is spread evenly over the image
// pixels it covers (area weighting), and the mass of every whole-pixel
// window position is read from a summed-area table of the map, interpolated
// at the window's fractional edges in map cells. Windows within 1e-9 of the
// total mass of the best count as equal; among them the one whose middle is
// closest to map.center wins. Throws Error(kInvalidArgument) for empty sizes,
// a crop larger than the image, an empty map or one with negative or
// non-finite values; Error(kTooLarge) for an image over max_image_pixels().
ATTENTION_JXL_EXPORT Box crop_box(const SaliencyMap& map, size_t image_width, size_t image_height,
             size_t crop_width, size_t crop_height);

// The largest window of aspect ratio `aspect` (width / height) that fits the
// image (its size rounded to whole pixels, at least one), placed by
// crop_box. Throws Error(kInvalidArgument) for an aspect that is not a
// finite positive number.
ATTENTION_JXL_EXPORT Box crop_box_for_aspect(const SaliencyMap& map, size_t image_width, size_t image_height,
                        double aspect);

}  // namespace attention_jxl

// Where an image lies inside the padded 640x480 model input (internal).
#pragma once

#include <cstddef>

namespace attention_jxl {

// The part of the model input that holds the image, as the published script
// computes it (its asymmetric right/bottom edges included).
struct Region {
  double left, top, right, bottom;
};

Region image_region(size_t width, size_t height);

// The same region as whole model input pixels: columns [x, x + width), rows
// [y, y + height). At least one pixel each way, even for extreme aspects.
struct PixelWindow {
  size_t x, y, width, height;
};

PixelWindow image_window(size_t width, size_t height);

}  // namespace attention_jxl

#include "image/orientation.h"

#include <cstring>

namespace attention_jxl {

// Exif orientation o says how the stored rows and columns are laid out in
// the upright image (TIFF 6.0, tag 274). Its inverse, per upright pixel:
//   1 identity       2 mirror left-right   3 rotate 180   4 mirror top-bottom
//   5 transpose      6 rotate 90 cw        7 transverse   8 rotate 90 ccw
Point upright_to_stored(Point upright, int orientation, size_t stored_width,
                        size_t stored_height) {
  const long w = static_cast<long>(stored_width);
  const long h = static_cast<long>(stored_height);
  const long x = upright.x;
  const long y = upright.y;
  switch (orientation) {
    case 2:
      return {w - 1 - x, y};
    case 3:
      return {w - 1 - x, h - 1 - y};
    case 4:
      return {x, h - 1 - y};
    case 5:
      return {y, x};
    case 6:
      return {y, h - 1 - x};
    case 7:
      return {w - 1 - y, h - 1 - x};
    case 8:
      return {w - 1 - y, x};
    default:
      return upright;
  }
}

DecodedImage to_upright(const ImageView& stored, int orientation) {
  const bool swaps = orientation >= 5 && orientation <= 8;
  DecodedImage upright;
  upright.width = swaps ? stored.height : stored.width;
  upright.height = swaps ? stored.width : stored.height;
  upright.channels = stored.channels;
  upright.type = stored.type;
  const size_t pixel = stored.channels * sample_size(stored.type);
  upright.pixels.resize(upright.width * upright.height * pixel);
  uint8_t* out = upright.pixels.data();
  for (size_t y = 0; y < upright.height; ++y) {
    for (size_t x = 0; x < upright.width; ++x, out += pixel) {
      const Point from = upright_to_stored({static_cast<long>(x), static_cast<long>(y)},
                                           orientation, stored.width, stored.height);
      std::memcpy(out, stored.row(static_cast<size_t>(from.y)) + static_cast<size_t>(from.x) * pixel,
                  pixel);
    }
  }
  return upright;
}

}  // namespace attention_jxl

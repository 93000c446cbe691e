// The decompression-bomb guard: the largest image, in pixels, that the core
// will encode, decode or read a header of. A few bytes of JPEG XL, JPEG or
// PNG can declare a gigapixel image; the limit is checked against the
// declared size before any pixel buffer is allocated.
#pragma once

#include <cstdint>
#include <string>

#include "attention_jxl/export.h"

namespace attention_jxl {

// Pillow's MAX_IMAGE_PIXELS (about 89 megapixels, e.g. 11600x7700); images
// up to that size encode in a few GB of memory.
constexpr uint64_t kDefaultMaxImagePixels = 89'478'485;

// The limit in effect for the whole process; 0 means no limit.
ATTENTION_JXL_EXPORT uint64_t max_image_pixels();
ATTENTION_JXL_EXPORT void set_max_image_pixels(uint64_t pixels);

// Throws Error(kTooLarge) naming `what` and the limit when width * height
// exceeds `limit`, e.g. check_image_pixels(w, h, "JPEG XL image").
ATTENTION_JXL_EXPORT void check_image_pixels(uint64_t width, uint64_t height, const std::string& what,
                        uint64_t limit = max_image_pixels());

}  // namespace attention_jxl

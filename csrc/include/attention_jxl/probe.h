// What a JPEG XL file holds, read from its headers without decoding pixels.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "attention_jxl/export.h"

namespace attention_jxl {

struct ImageInfo {
  uint64_t width = 0, height = 0;  // as stored (before the orientation is applied)
  uint32_t channels = 0;           // color channels plus alpha
  uint32_t bits_per_sample = 0;
  bool float_samples = false;
  bool has_alpha = false;
  uint32_t orientation = 1;  // EXIF orientation 1..8 of the stored pixels
  uint64_t frames = 0;       // displayed frames (animation frames or layers)
  bool animated = false;
  bool has_preview = false;
  bool has_icc = false;               // an ICC profile rather than an enumerated color space
  bool jpeg_reconstruction = false;   // a jbrd box: the original JPEG can be rebuilt
  bool has_exif = false, has_xmp = false;
  bool container = false;
  // Whether the first displayed frame stores its groups in a custom order
  // (center-first), and the top-left pixel of the group it starts with.
  bool center_first = false;
  uint64_t first_group_x = 0, first_group_y = 0;
  uint64_t groups = 0;  // groups of the first displayed frame
};

// Reads the container boxes, the image header and each frame's header and
// table of contents. `frames` counts the frames whose headers are within
// `size` (all of them for a complete file).
// Throws Error(kCorruptData) for data that is not JPEG XL or is cut off
// before the first displayed frame's table of contents, Error(kTooLarge) for
// an image over max_image_pixels() (limits.h).
ATTENTION_JXL_EXPORT ImageInfo probe(const uint8_t* data, size_t size);

}  // namespace attention_jxl

// Exif orientations (1..8) between the stored pixels of a JPEG and the image
// as it is meant to be seen (internal).
#pragma once

#include <cstddef>

#include "attention_jxl/types.h"
#include "attention_jxl/decode.h"

namespace attention_jxl {

// The stored pixels turned upright (orientations 5..8 swap width and height).
DecodedImage to_upright(const ImageView& stored, int orientation);

// A pixel of the upright image -> the same pixel in the stored image of
// stored_width x stored_height.
Point upright_to_stored(Point upright, int orientation, size_t stored_width,
                        size_t stored_height);

}  // namespace attention_jxl

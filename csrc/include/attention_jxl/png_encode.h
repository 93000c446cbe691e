// PNG encoding with libpng: 8- and 16-bit gray, gray+alpha, RGB and RGBA, as
// the pixels are (Pillow writes 16-bit PNGs only for gray).
#pragma once

#include <cstdint>
#include <vector>

#include "attention_jxl/export.h"
#include "attention_jxl/image.h"

namespace attention_jxl {

// `image` is uint8 or uint16 (float32 is Error(kInvalidArgument)); an ICC
// profile, when given, is stored in an iCCP chunk.
ATTENTION_JXL_EXPORT std::vector<uint8_t> png_encode(const ImageView& image, const std::vector<uint8_t>& icc_profile);

}  // namespace attention_jxl

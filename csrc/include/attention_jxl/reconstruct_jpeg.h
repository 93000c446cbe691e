// The original JPEG file rebuilt from a JPEG XL file that was transcoded from
// it (the JPEG reconstruction data in its jbrd box).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "attention_jxl/export.h"

namespace attention_jxl {

// Byte for byte the file `djxl in.jxl out.jpg` writes. `threads` as in
// EncodeSettings. Throws Error(kInvalidArgument) for a file without JPEG
// reconstruction data, Error(kCorruptData) for data that is not a complete,
// valid JPEG XL file, Error(kTooLarge) for an image over max_image_pixels().
ATTENTION_JXL_EXPORT std::vector<uint8_t> reconstruct_jpeg(const uint8_t* data, size_t size, int threads = 0);

}  // namespace attention_jxl

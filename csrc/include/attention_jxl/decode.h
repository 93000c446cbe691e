// Full JPEG XL decoding with libjxl, to the pixels as they were encoded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "attention_jxl/export.h"
#include "attention_jxl/image.h"
#include "attention_jxl/thread_pool.h"

namespace attention_jxl {

// Sample type follows the codestream: <= 8 bits -> uint8, <= 16 bits ->
// uint16, floating point -> float32. `threads` as in EncodeSettings.
// Throws Error(kCorruptData) for truncated or invalid input, Error(kTooLarge)
// when the header declares an image over max_image_pixels() (limits.h),
// before any pixel memory is allocated.
//
// With `partial`, `data` may be any prefix of a JPEG XL file: the result is
// what a progressive viewer shows once it has received those bytes (libjxl's
// progressive flush: the groups received so far at their detail, the rest
// upsampled from the DC image). The complete file gives the same pixels as
// without `partial`. Throws Error(kCorruptData) when the prefix is too short
// for a first image (the headers, table of contents or DC not yet complete)
// or is invalid.
// With `pool`, its threads do the work and `threads` is ignored.
ATTENTION_JXL_EXPORT DecodedImage decode(const uint8_t* data, size_t size, int threads = 0,
                                         bool partial = false, const ThreadPool* pool = nullptr);

}  // namespace attention_jxl

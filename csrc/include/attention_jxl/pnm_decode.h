// Binary Netpbm decoding: PGM (P5), PPM (P6) and PAM (P7), the formats cjxl
// and pipelines without an image library exchange raw pixels in.
#pragma once

#include <cstddef>
#include <cstdint>

#include "attention_jxl/export.h"
#include "attention_jxl/image.h"

namespace attention_jxl {

// The first image of the file. Samples become uint8 for a maxval up to 255
// and uint16 (native endian) above; a maxval other than 255 or 65535 is
// scaled to the full range of its type, rounding to nearest. PAM's DEPTH 1..4
// gives gray, gray+alpha, RGB, RGBA (its TUPLTYPE is not needed).
// Throws Error(kCorruptData) for a malformed or truncated file,
// Error(kUnsupported) for ASCII or bitmap Netpbm (P1..P4) and PFM, and
// Error(kTooLarge) when the header declares an image over max_image_pixels()
// (limits.h), before the pixels are allocated.
ATTENTION_JXL_EXPORT DecodedImage pnm_decode(const uint8_t* data, size_t size);

}  // namespace attention_jxl

// PNG decoding with libpng, keeping the stored bit depth, alpha and the ICC
// profile (Pillow reduces 16-bit RGB/RGBA to 8 bits).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "attention_jxl/decode.h"
#include "attention_jxl/export.h"

namespace attention_jxl {

struct DecodedPng {
  // The pixels with the channels as stored: 1 = gray, 2 = gray+alpha, 3 = RGB,
  // 4 = RGBA. Palette images become RGB (RGBA with a tRNS chunk), a tRNS
  // color key on gray or RGB becomes an alpha channel, bit depths below 8 are
  // expanded to 8 (gray scaled to 0..255). 16-bit samples are native endian.
  DecodedImage image;
  int bit_depth = 0;         // as stored in the file: 1, 2, 4, 8 or 16
  int significant_bits = 0;  // largest sBIT value over the channels, 0 without sBIT
  std::vector<uint8_t> icc;   // decompressed iCCP profile; empty when absent or invalid
  std::vector<uint8_t> exif;  // raw eXIf chunk data (a TIFF header onwards); empty when absent
  int orientation = 1;        // Exif orientation (1..8) from eXIf; 1 when absent or unreadable
  std::string orientation_problem;  // why eXIf could not be read; empty when it could
  // Whether these color chunks are present (their contents are not applied).
  bool has_srgb = false;
  bool has_gama = false;
  bool has_chrm = false;
  bool has_cicp = false;
};

// Decodes the PNG image in `data` (for an APNG, the default image, i.e. the
// first frame). No color or gamma transformation is applied.
// Throws Error(kCorruptData) for data that is not a complete, valid PNG and
// Error(kTooLarge) when the image is over max_image_pixels() (limits.h).
ATTENTION_JXL_EXPORT DecodedPng png_decode(const uint8_t* data, size_t size);

}  // namespace attention_jxl

// EXIF and XMP metadata in JPEG XL files (the container's Exif and xml
// boxes) and the color profile of decoded pixels.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "attention_jxl/export.h"

namespace attention_jxl {

struct FileMetadata {
  std::vector<uint8_t> icc;   // the ICC profile of the decoded pixels
  std::vector<uint8_t> exif;  // the TIFF structure ("II*\0" or "MM\0*"...); empty: none
  std::vector<uint8_t> xmp;   // the XMP packet (XML); empty: none
};

// Reads the color profile and the Exif and XMP boxes (Brotli-compressed
// ones too) without decoding pixels. Throws Error(kCorruptData) for data
// that is not a complete, valid JPEG XL file, Error(kTooLarge) for an image
// over max_image_pixels().
ATTENTION_JXL_EXPORT FileMetadata read_metadata(const uint8_t* data, size_t size);

// Checks that `exif` is a TIFF structure (optionally after JPEG's
// "Exif\0\0" marker, which is dropped) and returns it; Error(kInvalidArgument)
// otherwise.
ATTENTION_JXL_EXPORT std::vector<uint8_t> exif_tiff(const std::vector<uint8_t>& exif);

}  // namespace attention_jxl

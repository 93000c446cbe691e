// Reading JPEG files with libjpeg(-turbo): the header facts transcoding needs
// and the pixels the model sees (internal). Never exits or prints: libjpeg's
// errors become Error exceptions, its warnings are silenced.
#pragma once

#include <cstddef>
#include <cstdint>

#include "attention_jxl/decode.h"
#include "image/exif.h"

namespace attention_jxl {

struct JpegHeader {
  size_t width = 0;
  size_t height = 0;
  int components = 0;
  int bits_per_sample = 8;
  bool arithmetic = false;  // arithmetic (not Huffman) entropy coding
  bool has_exif = false;
  ExifOrientation orientation;  // from the first Exif APP1 segment
};

struct DecodedJpeg {
  JpegHeader header;
  DecodedImage image;  // stored orientation; 8-bit gray or RGB
};

// Reads the markers up to the first scan. Throws Error(kCorruptData) when the
// data is not a JPEG, Error(kUnsupported) for a coding process libjpeg lacks,
// Error(kTooLarge) for an image over max_image_pixels() (limits.h).
JpegHeader read_jpeg_header(const uint8_t* data, size_t size);

// Decodes with libjpeg's default settings (as Pillow does). Throws as
// read_jpeg_header, and Error(kCorruptData) for truncated or corrupt data.
DecodedJpeg decode_jpeg(const uint8_t* data, size_t size);

}  // namespace attention_jxl

// The orientation tag of a JPEG's Exif block (internal). Written for
// untrusted input: every read is bounds-checked, nothing is trusted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace attention_jxl {

struct ExifOrientation {
  int value = 1;        // 1..8 as in the TIFF Orientation tag (0x0112); 1 = upright
  std::string problem;  // why the block could not be read; empty when it could
};

// True when an APP1 segment's payload (the bytes after its length field) is
// an Exif block, i.e. starts with "Exif\0\0".
bool is_exif_payload(const uint8_t* payload, size_t size);

// Reads the Orientation tag from IFD0 of an Exif block: an APP1 payload
// ("Exif\0\0" + TIFF data) or the TIFF data alone. A block
// without the tag is upright; a truncated or malformed block yields value 1
// and a `problem` saying what is wrong.
ExifOrientation read_exif_orientation(const uint8_t* payload, size_t size);

}  // namespace attention_jxl

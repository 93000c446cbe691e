// Where each 256x256 group of a JPEG XL image lies in the file, read from the
// headers and the table of contents without decoding any pixels.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "attention_jxl/export.h"

namespace attention_jxl {

// Top-left pixel of a group, in image pixels.
struct GroupOrigin {
  uint64_t x = 0;
  uint64_t y = 0;
};

// The groups (AC groups of the first displayed frame) in the order their
// data appears in the file, i.e. with the TOC permutation applied: a
// center-first file starts with the group holding its center, a scanline
// file gives row-major order. Accepts a bare codestream or the ISOBMFF
// container (jxlc or jxlp boxes). One entry per group: an image that fits in
// one group gives [(0, 0)].
// Throws Error(kCorruptData) for truncated or invalid data, Error(kTooLarge)
// for an image over max_image_pixels() (limits.h).
//
// With `dc_level` > 0: the groups of the progressive-DC frame at that level
// instead (1 = the 1:8 frame, 2 = 1:64, ...), origins in that frame's own
// pixels; Error(kInvalidArgument) when the file has no such frame.
ATTENTION_JXL_EXPORT std::vector<GroupOrigin> group_order(const uint8_t* data, size_t size, int dc_level = 0);

}  // namespace attention_jxl

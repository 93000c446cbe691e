// Rewrites a JPEG XL file into center-first order without re-encoding it:
// only the tables of contents change and the sections move, so every decoder
// shows the same pixels, and a viewer of a partial download shows the groups
// around the center first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "attention_jxl/export.h"
#include "attention_jxl/types.h"

namespace attention_jxl {

// Which pixels a center is given in.
enum class CenterPixels {
  kDisplayed,  // the image as shown: its orientation applied, as decode() returns it
  kStored,     // the codestream's own pixels, as encode() takes them
};

// Every frame of the image (the DC frames of progressive DC too, with the
// center scaled into them) gets LfGlobal, its LF groups and HfGlobal first,
// then its pass groups, pass by pass, in libjxl's center-first order around
// the group holding `center` (clamped into the image).
// Reference-only frames and the preview frame are kept as they are. A bare
// codestream stays bare; a container keeps all its other boxes (Exif, XMP,
// JPEG reconstruction data, ...) in their order, and its jxlp boxes that hold
// only the image header; the frames go into the codestream box they started
// in (a jxlc box, or the last jxlp box).
// Throws Error(kCorruptData) for invalid or truncated data, Error(kUnsupported)
// for a container with a frame index box (jxli, whose offsets would go
// stale), Error(kTooLarge) for an image over max_image_pixels() (limits.h).
ATTENTION_JXL_EXPORT std::vector<uint8_t> reorder(const uint8_t* data, size_t size, Point center,
                             CenterPixels pixels = CenterPixels::kDisplayed);

// Scanline order: as reorder(), with the pass groups row by row. It is
// libjxl 0.7's own order; libjxl 0.10+'s chunked encoder interleaves the LF
// groups with the pass groups instead, so that a partial download of its
// files shows nothing until nearly the end.
ATTENTION_JXL_EXPORT std::vector<uint8_t> reorder_scanline(const uint8_t* data, size_t size);

// Whether two files store every frame's sections in the same order (e.g.
// whether libjxl wrote the order reorder() would give).
ATTENTION_JXL_EXPORT bool same_section_order(const uint8_t* a, size_t a_size, const uint8_t* b, size_t b_size);

// The shortest prefix of reorder(data, size, any center) from which a
// progressive decoder renders a whole first image: everything up to the last
// section before the first pass group of the image's main frame (the DC
// frames, LfGlobal, the LF groups and HfGlobal). Cheap to produce (no pixel
// work); decode(prefix, partial) gives the 1:8 image upsampled, enough to
// predict the center of a file from.
ATTENTION_JXL_EXPORT std::vector<uint8_t> lf_prefix(const uint8_t* data, size_t size);

}  // namespace attention_jxl

// Walks a codestream's frames: each frame's header, layout, TOC and where
// its sections lie, without decoding them (internal).
#pragma once

#include <cstddef>
#include <cstdint>

#include "jxl/codestream/bit_reader.h"
#include "jxl/codestream/headers.h"
#include "jxl/codestream/toc.h"

namespace attention_jxl::codestream {

struct FrameInfo {
  Frame header;
  Layout layout;
  bool is_preview = false;
  uint64_t start = 0;           // byte where the frame header starts
  uint64_t toc_bit = 0;         // bit where the header ends and the TOC starts
  uint64_t sections_start = 0;  // byte of the first section in the file
  Toc toc;

  uint64_t end() const { return sections_start + toc.total_size; }
  uint64_t groups() const { return layout.groups_x * layout.groups_y; }
  // The TOC index of a pass group, and of LfGlobal..HfGlobal before them.
  bool single_section() const { return toc.sizes.size() == 1; }
  uint64_t first_pass_group() const { return single_section() ? 0 : 2 + layout.dc_groups; }
};

class FrameReader {
 public:
  FrameReader(const uint8_t* codestream, size_t size);

  const Metadata& metadata() const { return metadata_; }
  uint64_t frames_start() const { return frames_start_; }  // byte after the image header

  // The next frame; false after the last one. A frame's sections need not
  // have arrived, but those of every frame before it must.
  bool next(FrameInfo* frame);

 private:
  BitReader br_;
  Metadata metadata_;
  uint64_t frames_start_ = 0;
  bool preview_pending_ = false;
  bool done_ = false;
  uint64_t next_start_ = 0;
};

}  // namespace attention_jxl::codestream

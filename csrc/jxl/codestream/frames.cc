#include "jxl/codestream/frames.h"

namespace attention_jxl::codestream {

FrameReader::FrameReader(const uint8_t* codestream, size_t size) : br_(codestream, size) {
  metadata_ = read_image_header(br_);
  frames_start_ = br_.position() / 8;
  next_start_ = frames_start_;
  preview_pending_ = metadata_.have_preview;
}

bool FrameReader::next(FrameInfo* frame) {
  if (done_) return false;
  require(next_start_ * 8 <= br_.size_bits(), "truncated frame");
  br_ = BitReader(br_.data(), static_cast<size_t>(br_.size_bits() / 8));
  br_.skip(next_start_ * 8);
  FrameInfo f;
  f.is_preview = preview_pending_;
  f.start = next_start_;
  f.header = read_frame_header(br_, metadata_, f.is_preview ? metadata_.preview : metadata_.size);
  f.layout = layout_of(f.header);
  f.toc_bit = br_.position();
  const uint64_t groups = f.groups();
  require(groups <= 65536 && f.layout.dc_groups <= 65536, "too many groups");
  const bool single = groups == 1 && f.header.passes == 1;
  const uint64_t entries = single ? 1 : 2 + f.layout.dc_groups + groups * f.header.passes;
  f.toc = read_toc(br_, entries);
  f.sections_start = br_.position() / 8;
  preview_pending_ = false;
  done_ = f.header.is_last && !f.is_preview;
  next_start_ = f.end();
  *frame = std::move(f);
  return true;
}

}  // namespace attention_jxl::codestream

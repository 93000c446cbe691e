// The header probe: container boxes, image header and the frames' headers
// and tables of contents, walked without decoding any section.
#include "attention_jxl/probe.h"

#include <vector>

#include "attention_jxl/error.h"
#include "jxl/codestream/codestream_error.h"
#include "jxl/codestream/container.h"
#include "jxl/codestream/frames.h"

namespace attention_jxl {
namespace {

using codestream::Container;
using codestream::ContainerBox;
using codestream::FrameInfo;

// A Brotli-compressed box ("brob") names the type it holds in its first bytes.
std::string box_content_type(const ContainerBox& box, const uint8_t* data) {
  if (box.type == "brob" && box.payload_size >= 4) {
    return std::string(reinterpret_cast<const char*>(data + box.payload_start), 4);
  }
  return box.type;
}

void read_boxes(const Container& container, const uint8_t* data, ImageInfo* info) {
  info->container = !container.bare;
  for (const ContainerBox& box : container.boxes) {
    const std::string type = box_content_type(box, data);
    if (type == "jbrd") info->jpeg_reconstruction = true;
    if (type == "Exif") info->has_exif = true;
    if (type == "xml ") info->has_xmp = true;
  }
}

// Where the first displayed frame's groups start in the file: center-first
// when they do not follow row-major order.
void read_group_order(const FrameInfo& f, ImageInfo* info) {
  const uint64_t groups = f.groups();
  info->groups = groups;
  uint64_t first = 0;
  uint32_t first_position = f.toc.position(static_cast<uint32_t>(f.first_pass_group()));
  bool row_major = true;
  for (uint64_t g = 1; g < groups; ++g) {
    const uint32_t position = f.toc.position(static_cast<uint32_t>(f.first_pass_group() + g));
    const uint32_t before = f.toc.position(static_cast<uint32_t>(f.first_pass_group() + g - 1));
    if (position < before) row_major = false;
    if (position < first_position) {
      first_position = position;
      first = g;
    }
  }
  info->center_first = !row_major;
  const uint64_t scale = f.layout.group_dim * f.header.upsampling;
  const int64_t x = f.header.x0 + static_cast<int64_t>((first % f.layout.groups_x) * scale);
  const int64_t y = f.header.y0 + static_cast<int64_t>((first / f.layout.groups_x) * scale);
  info->first_group_x = x > 0 ? static_cast<uint64_t>(x) : 0;
  info->first_group_y = y > 0 ? static_cast<uint64_t>(y) : 0;
}

// The codestream in place when it is one piece of the file (a bare
// codestream or one jxlc box), else joined from its jxlp boxes.
struct CodestreamView {
  std::vector<uint8_t> joined;
  const uint8_t* data = nullptr;
  size_t size = 0;
};

CodestreamView codestream_of(const Container& boxes, const uint8_t* data, size_t size) {
  CodestreamView view;
  if (boxes.bare) {
    view.data = data;
    view.size = size;
    return view;
  }
  for (const ContainerBox& box : boxes.boxes) {
    if (box.type == "jxlc") {
      view.data = data + box.payload_start;
      view.size = box.payload_size;
      return view;
    }
  }
  view.joined = codestream::read_container(data, size, /*allow_cut=*/true).codestream;
  view.data = view.joined.data();
  view.size = view.joined.size();
  return view;
}

ImageInfo probe_headers(const uint8_t* data, size_t size) {
  const Container container =
      codestream::read_container(data, size, /*allow_cut=*/true, /*join_codestream=*/false);
  ImageInfo info;
  read_boxes(container, data, &info);
  const CodestreamView codestream = codestream_of(container, data, size);
  codestream::FrameReader frames(codestream.data, codestream.size);
  const codestream::Metadata& m = frames.metadata();
  info.width = m.size.width;
  info.height = m.size.height;
  info.has_alpha = m.alpha_bits > 0;
  info.channels = m.color_channels + (info.has_alpha ? 1 : 0);
  info.bits_per_sample = m.bits_per_sample;
  info.float_samples = m.exponent_bits > 0;
  info.orientation = m.orientation;
  info.animated = m.have_animation;
  info.has_preview = m.have_preview;
  info.has_icc = m.want_icc;

  FrameInfo f;
  bool have_displayed = false;
  for (;;) {
    try {
      if (!frames.next(&f)) break;
    } catch (const Error&) {
      // Frames after the first displayed one may not have arrived yet.
      if (have_displayed) break;
      throw;
    }
    if (f.is_preview || !f.header.displayed()) continue;
    if (!have_displayed) read_group_order(f, &info);
    have_displayed = true;
    ++info.frames;
  }
  if (!have_displayed) codestream::corrupt("no displayed frame");
  return info;
}

}  // namespace

ImageInfo probe(const uint8_t* data, size_t size) {
  if (data == nullptr || size == 0) codestream::corrupt("no data (0 bytes)");
  try {
    return probe_headers(data, size);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kCorruptData) throw;
    // Name the size: a truncated download is the usual cause.
    throw Error(ErrorCode::kCorruptData, std::string(e.what()) + " (in the headers of " +
                                             std::to_string(size) + " bytes)");
  }
}

}  // namespace attention_jxl

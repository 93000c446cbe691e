// reorder(): new tables of contents and the same sections in a new order.
#include "attention_jxl/reorder.h"

#include <algorithm>
#include <string>

#include "attention_jxl/error.h"
#include "jxl/codestream/bit_writer.h"
#include "jxl/codestream/codestream_error.h"
#include "jxl/codestream/concentric_order.h"
#include "jxl/codestream/container.h"
#include "jxl/codestream/frames.h"
#include "image/orientation.h"

namespace attention_jxl {
namespace {

using namespace codestream;

// The center in the stored pixels of the codestream, clamped into them.
Point stored_center(const Metadata& m, Point displayed) {
  const bool swapped = m.orientation >= 5;
  const long width = static_cast<long>(swapped ? m.size.height : m.size.width);
  const long height = static_cast<long>(swapped ? m.size.width : m.size.height);
  displayed.x = std::clamp(displayed.x, 0L, width - 1);
  displayed.y = std::clamp(displayed.y, 0L, height - 1);
  return upright_to_stored(displayed, static_cast<int>(m.orientation), m.size.width,
                           m.size.height);
}

bool reorders(const FrameInfo& f) {
  return !f.is_preview && !f.single_section() &&
         (f.header.displayed() || f.header.type == kDc);
}

// The frame's groups, row-major indices, center-first around `center` (in
// the image's stored pixels), or row by row without one.
std::vector<uint32_t> group_sequence(const FrameInfo& f, const Point* center) {
  if (center == nullptr) {
    std::vector<uint32_t> rows(f.groups());
    for (uint32_t g = 0; g < rows.size(); ++g) rows[g] = g;
    return rows;
  }
  int64_t x = center->x, y = center->y;
  if (f.header.type == kDc) {
    x >>= 3 * f.header.dc_level;
    y >>= 3 * f.header.dc_level;
  } else {
    x -= f.header.x0;
    y -= f.header.y0;
  }
  x /= f.header.upsampling;
  y /= f.header.upsampling;
  return concentric_order(f.layout.groups_x, f.layout.groups_y, f.layout.group_dim, x, y);
}

// Logical sections in their new file order: LfGlobal, the LF groups and
// HfGlobal, then each pass's groups.
std::vector<uint32_t> new_section_order(const FrameInfo& f, const Point* center) {
  const std::vector<uint32_t> groups = group_sequence(f, center);
  const uint32_t first = static_cast<uint32_t>(f.first_pass_group());
  std::vector<uint32_t> sections;
  sections.reserve(f.toc.sizes.size());
  for (uint32_t s = 0; s < first; ++s) sections.push_back(s);
  for (uint32_t pass = 0; pass < f.header.passes; ++pass) {
    for (uint32_t g : groups) {
      sections.push_back(first + pass * static_cast<uint32_t>(groups.size()) + g);
    }
  }
  return sections;
}

void write_frame(BitWriter& out, const uint8_t* codestream, const FrameInfo& f,
                 const std::vector<uint32_t>& sections) {
  std::vector<uint64_t> offsets(f.toc.sizes.size() + 1, 0);  // old file order
  for (size_t i = 0; i < f.toc.sizes.size(); ++i) offsets[i + 1] = offsets[i] + f.toc.sizes[i];
  Toc toc;
  toc.permutation.resize(sections.size());
  toc.sizes.resize(sections.size());
  for (uint32_t k = 0; k < sections.size(); ++k) {
    toc.permutation[sections[k]] = k;
    toc.sizes[k] = f.toc.sizes[f.toc.position(sections[k])];
  }
  out.copy_bits(codestream, f.start * 8, f.toc_bit - f.start * 8);
  write_toc(out, toc);
  for (uint32_t section : sections) {
    const uint32_t position = f.toc.position(section);
    out.append(codestream + f.sections_start + offsets[position], f.toc.sizes[position]);
  }
}

struct Rewritten {
  Container container;
  std::vector<uint8_t> codestream;
  uint64_t frames_start = 0;  // the image header's size, the same in both
  uint64_t lf_end = 0;        // in the new codestream, see lf_prefix()
};

// `center` null: scanline order.
Rewritten rewrite(const uint8_t* data, size_t size, const Point* center, CenterPixels pixels) {
  if (data == nullptr || size == 0) corrupt("no data (0 bytes)");
  Rewritten result;
  result.container = read_container(data, size, /*allow_cut=*/false);
  for (const ContainerBox& box : result.container.boxes) {
    if (box.type == "jxli") {
      throw Error(ErrorCode::kUnsupported,
                  "the file has a frame index box (jxli), whose offsets reordering would make "
                  "wrong; remove it first");
    }
  }
  const std::vector<uint8_t>& in = result.container.codestream;
  FrameReader frames(in.data(), in.size());
  Point stored;
  if (center != nullptr) {
    stored = pixels == CenterPixels::kDisplayed ? stored_center(frames.metadata(), *center)
                                                : *center;
  }
  BitWriter out;
  result.frames_start = frames.frames_start();
  out.append(in.data(), static_cast<size_t>(frames.frames_start()));
  uint64_t end = frames.frames_start();
  bool main_frame_seen = false;
  FrameInfo f;
  while (frames.next(&f)) {
    if (f.end() > in.size()) {
      corrupt("truncated frame (" + std::to_string(f.end() - in.size()) + " bytes missing)");
    }
    if (reorders(f)) {
      write_frame(out, in.data(), f, new_section_order(f, center ? &stored : nullptr));
    } else {
      out.append(in.data() + f.start, static_cast<size_t>(f.end() - f.start));
    }
    if (!main_frame_seen && !f.is_preview && f.header.displayed()) {
      main_frame_seen = true;
      const uint64_t frame_end = out.bits_written() / 8;
      uint64_t lf = frame_end;  // a single section: the whole frame
      if (reorders(f)) {
        for (uint64_t s = f.first_pass_group(); s < f.toc.sizes.size(); ++s) {
          lf -= f.toc.sizes[f.toc.position(static_cast<uint32_t>(s))];  // pass groups come last
        }
      }
      result.lf_end = lf;
    }
    end = f.end();
  }
  out.append(in.data() + end, static_cast<size_t>(in.size() - end));  // anything after the last frame
  result.codestream = std::move(out.bytes());
  return result;
}

void append_jxlp(std::vector<uint8_t>& out, uint32_t index, bool last, const uint8_t* data,
                 size_t size) {
  std::vector<uint8_t> payload;
  payload.reserve(size + 4);
  const uint32_t counter = index | (last ? 0x80000000u : 0);
  for (int shift = 24; shift >= 0; shift -= 8) payload.push_back(static_cast<uint8_t>(counter >> shift));
  payload.insert(payload.end(), data, data + size);
  append_box(out, "jxlp", payload.data(), payload.size());
}

// The new codestream (its first `codestream_size` bytes) in the file's
// container. jxlp boxes that hold only the image header stay as they are (a
// decoder may need it before a box that follows, as libjxl needs it before
// the JPEG reconstruction box); the frames go into the jxlp box where they
// started, and the later codestream boxes go.
std::vector<uint8_t> wrap(const Rewritten& r, const uint8_t* data, size_t codestream_size) {
  const uint8_t* codestream = r.codestream.data();
  if (r.container.bare) return {codestream, codestream + codestream_size};
  std::vector<uint8_t> out(kContainerSignature, kContainerSignature + 12);
  bool frames_written = false;
  uint32_t index = 0;
  size_t offset = 0;  // of the box's part in the original codestream
  for (const ContainerBox& box : r.container.boxes) {
    if (!box.is_codestream()) {
      out.insert(out.end(), data + box.start, data + box.start + box.size);
    } else if (box.type == "jxlc") {
      append_box(out, "jxlc", codestream, codestream_size);
    } else if (!frames_written) {
      const size_t part = box.payload_size - 4;
      if (offset + part <= r.frames_start && offset + part < codestream_size) {
        append_jxlp(out, index++, false, codestream + offset, part);
      } else {
        append_jxlp(out, index++, true, codestream + offset, codestream_size - offset);
        frames_written = true;
      }
      offset += part;
    }
  }
  return out;
}

}  // namespace

std::vector<uint8_t> reorder(const uint8_t* data, size_t size, Point center,
                             CenterPixels pixels) {
  const Rewritten r = rewrite(data, size, &center, pixels);
  return wrap(r, data, r.codestream.size());
}

std::vector<uint8_t> reorder_scanline(const uint8_t* data, size_t size) {
  const Rewritten r = rewrite(data, size, nullptr, CenterPixels::kStored);
  return wrap(r, data, r.codestream.size());
}

std::vector<uint8_t> lf_prefix(const uint8_t* data, size_t size) {
  const Rewritten r = rewrite(data, size, nullptr, CenterPixels::kStored);
  return wrap(r, data, static_cast<size_t>(r.lf_end));
}

bool same_section_order(const uint8_t* a, size_t a_size, const uint8_t* b, size_t b_size) {
  const auto orders = [](const uint8_t* data, size_t size) {
    const Container container = read_container(data, size, /*allow_cut=*/false);
    FrameReader frames(container.codestream.data(), container.codestream.size());
    std::vector<std::vector<uint32_t>> result;
    FrameInfo f;
    while (frames.next(&f)) {
      std::vector<uint32_t> positions(f.toc.sizes.size());
      for (uint32_t s = 0; s < positions.size(); ++s) positions[s] = f.toc.position(s);
      result.push_back(std::move(positions));
    }
    return result;
  };
  return orders(a, a_size) == orders(b, b_size);
}

}  // namespace attention_jxl

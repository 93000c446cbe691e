// The image and frame headers of a JPEG XL codestream (ISO/IEC 18181-1, A
// and C.2), read as far as the layout of the frames' sections needs
// (internal).
#pragma once

#include <cstdint>
#include <vector>

#include "jxl/codestream/bit_reader.h"

namespace attention_jxl::codestream {

struct Size {
  uint64_t width = 0, height = 0;
};

struct Metadata {
  Size size;
  uint32_t orientation = 1;  // Exif orientation 1..8 of the stored pixels
  bool have_preview = false;
  Size preview;
  bool have_animation = false;
  bool have_timecodes = false;
  uint32_t bits_per_sample = 8;
  uint32_t exponent_bits = 0;  // > 0 for floating point samples
  uint32_t color_channels = 3;  // 1 for gray
  uint32_t alpha_bits = 0;      // 0 without an alpha channel
  bool xyb_encoded = true;
  bool want_icc = false;
  std::vector<uint32_t> extra_channel_dim_shift;
};

// The signature, size header, image metadata, transform data and ICC
// profile, up to the byte where the first frame starts. Throws kTooLarge for
// an image over max_image_pixels() (limits.h).
Metadata read_image_header(BitReader& br);

enum FrameType : uint32_t { kRegular = 0, kDc = 1, kReferenceOnly = 2, kSkipProgressive = 3 };

struct Frame {
  uint32_t type = kRegular;
  bool modular = false;
  uint32_t upsampling = 1;
  uint32_t group_shift = 1;
  uint32_t passes = 1;
  uint32_t dc_level = 0;  // a DC frame's: 1 for 1:8 of the image, 2 for 1:64, ...
  int64_t x0 = 0, y0 = 0;
  uint64_t width = 0, height = 0;  // of a DC frame: already divided by 8^dc_level
  uint32_t max_hshift = 0, max_vshift = 0;
  bool is_last = true;

  bool displayed() const { return type == kRegular || type == kSkipProgressive; }
};

// `image` is the size of the image, or of the preview for the preview frame.
Frame read_frame_header(BitReader& br, const Metadata& m, Size image);

// Where a frame's groups lie: in pixels of the frame's own (upsampled away)
// resolution.
struct Layout {
  uint64_t group_dim, width, height, groups_x, groups_y, dc_groups;
};

Layout layout_of(const Frame& f);

}  // namespace attention_jxl::codestream

#include "jxl/codestream/headers.h"

#include <algorithm>

#include "attention_jxl/limits.h"
#include "jxl/codestream/entropy_decoder.h"

namespace attention_jxl::codestream {
namespace {

void skip_f16(BitReader& br, size_t count = 1) {
  for (size_t i = 0; i < count; ++i) {
    require(((br.read(16) >> 10) & 0x1F) != 31, "infinite or NaN header value");
  }
}

uint32_t read_enum(BitReader& br) {
  return read_u32(br, Val(0), Val(1), BitsOffset(4, 2), BitsOffset(6, 18));
}

void skip_extensions(BitReader& br) {
  const uint64_t extensions = read_u64(br);
  uint64_t total = 0;
  for (uint64_t rest = extensions; rest != 0; rest &= rest - 1) {
    const uint64_t bits = read_u64(br);
    require(total + bits >= total, "extension size overflow");
    total += bits;
  }
  br.skip(total);
}

void skip_name(BitReader& br) {
  const uint32_t length = read_u32(br, Val(0), Bits(4), BitsOffset(5, 16), BitsOffset(10, 48));
  br.skip(uint64_t{length} * 8);
}

uint64_t aspect_width(uint32_t ratio, uint64_t height) {
  static const uint32_t kRatios[8][2] = {{0, 0},  {1, 1}, {12, 10}, {4, 3},
                                         {3, 2},  {16, 9}, {5, 4},  {2, 1}};
  return height * kRatios[ratio][0] / kRatios[ratio][1];
}

Size read_size_header(BitReader& br) {
  Size size;
  const bool small = br.flag();
  const Dist d0 = BitsOffset(9, 1), d1 = BitsOffset(13, 1), d2 = BitsOffset(18, 1),
             d3 = BitsOffset(30, 1);
  size.height = small ? (br.read(5) + 1) * 8 : read_u32(br, d0, d1, d2, d3);
  const uint32_t ratio = br.read(3);
  if (ratio != 0) {
    size.width = aspect_width(ratio, size.height);
  } else {
    size.width = small ? (br.read(5) + 1) * 8 : read_u32(br, d0, d1, d2, d3);
  }
  return size;
}

Size read_preview_header(BitReader& br) {
  Size size;
  const bool div8 = br.flag();
  const auto read_dim = [&] {
    return div8 ? uint64_t{read_u32(br, Val(16), Val(32), BitsOffset(5, 1), BitsOffset(9, 33))} * 8
                : read_u32(br, BitsOffset(6, 1), BitsOffset(8, 65), BitsOffset(10, 321),
                           BitsOffset(12, 1345));
  };
  size.height = read_dim();
  const uint32_t ratio = br.read(3);
  size.width = ratio != 0 ? aspect_width(ratio, size.height) : read_dim();
  return size;
}

struct BitDepth {
  uint32_t bits = 8, exponent_bits = 0;
};

BitDepth read_bit_depth(BitReader& br) {
  BitDepth depth;
  if (br.flag()) {  // floating point
    depth.bits = read_u32(br, Val(32), Val(16), Val(24), BitsOffset(6, 1));
    depth.exponent_bits = br.read(4) + 1;
  } else {
    depth.bits = read_u32(br, Val(8), Val(10), Val(12), BitsOffset(6, 1));
  }
  return depth;
}

void skip_customxy(BitReader& br) {
  for (int i = 0; i < 2; ++i) {
    read_u32(br, Bits(19), BitsOffset(19, 524288), BitsOffset(20, 1048576),
             BitsOffset(21, 2097152));
  }
}

void read_color_encoding(BitReader& br, Metadata* m) {
  if (br.flag()) return;  // all default: sRGB
  m->want_icc = br.flag();
  const uint32_t color_space = read_enum(br);
  constexpr uint32_t kGray = 1, kXyb = 2;
  if (color_space == kGray) m->color_channels = 1;
  if (m->want_icc) return;
  if (color_space != kXyb) {
    if (read_enum(br) == 2) skip_customxy(br);  // custom white point
  }
  if (color_space != kGray && color_space != kXyb) {
    if (read_enum(br) == 2) {  // custom primaries
      for (int i = 0; i < 3; ++i) skip_customxy(br);
    }
  }
  if (color_space != kXyb) {
    if (br.flag()) {
      br.read(24);  // gamma
    } else {
      read_enum(br);  // transfer function
    }
  }
  read_enum(br);  // rendering intent
}

Metadata read_metadata(BitReader& br) {
  Metadata m;
  m.size = read_size_header(br);
  if (br.flag()) return m;  // all default
  const bool extra_fields = br.flag();
  if (extra_fields) {
    m.orientation = br.read(3) + 1;
    if (br.flag()) read_size_header(br);  // intrinsic size
    m.have_preview = br.flag();
    if (m.have_preview) m.preview = read_preview_header(br);
    m.have_animation = br.flag();
    if (m.have_animation) {
      read_u32(br, Val(100), Val(1000), BitsOffset(10, 1), BitsOffset(30, 1));
      read_u32(br, Val(1), Val(1001), BitsOffset(8, 1), BitsOffset(10, 1));
      read_u32(br, Val(0), Bits(3), Bits(16), Bits(32));
      m.have_timecodes = br.flag();
    }
  }
  const BitDepth depth = read_bit_depth(br);
  m.bits_per_sample = depth.bits;
  m.exponent_bits = depth.exponent_bits;
  br.read(1);  // modular_16_bit_buffer_sufficient
  const uint32_t num_extra =
      read_u32(br, Val(0), Val(1), BitsOffset(4, 2), BitsOffset(12, 1));
  require(num_extra <= 256, "too many extra channels");
  for (uint32_t i = 0; i < num_extra; ++i) {
    uint32_t dim_shift = 0;
    if (!br.flag()) {
      const uint32_t type = read_enum(br);
      const BitDepth channel_depth = read_bit_depth(br);
      if (type == 0 && m.alpha_bits == 0) m.alpha_bits = channel_depth.bits;
      dim_shift = read_u32(br, Val(0), Val(3), Val(4), BitsOffset(3, 1));
      require(dim_shift <= 3, "invalid extra channel");
      skip_name(br);
      if (type == 0) br.read(1);        // alpha: associated
      if (type == 2) skip_f16(br, 4);   // spot color
      if (type == 5) read_u32(br, Val(1), Bits(2), BitsOffset(4, 3), BitsOffset(8, 19));  // CFA
    } else if (m.alpha_bits == 0) {
      m.alpha_bits = 8;  // all default: 8-bit alpha
    }
    m.extra_channel_dim_shift.push_back(dim_shift);
  }
  m.xyb_encoded = br.flag();
  read_color_encoding(br, &m);
  if (extra_fields && !br.flag()) {  // tone mapping
    skip_f16(br, 2);  // intensity target, min nits
    br.read(1);       // relative to max display
    skip_f16(br, 1);  // linear below
  }
  skip_extensions(br);
  return m;
}

void skip_transform_data(BitReader& br, bool xyb_encoded) {
  if (br.flag()) return;  // all default
  if (xyb_encoded && !br.flag()) skip_f16(br, 16);  // opsin inverse matrix
  const uint32_t weights = br.read(3);
  if (weights & 1) skip_f16(br, 15);
  if (weights & 2) skip_f16(br, 55);
  if (weights & 4) skip_f16(br, 210);
}

uint32_t byte_kind1(uint8_t b) {
  if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')) return 0;
  if ((b >= '0' && b <= '9') || b == '.' || b == ',') return 1;
  if (b == 0) return 2;
  if (b == 1) return 3;
  if (b < 16) return 4;
  if (b == 255) return 6;
  if (b > 240) return 5;
  return 7;
}

uint32_t byte_kind2(uint8_t b) {
  if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')) return 0;
  if ((b >= '0' && b <= '9') || b == '.' || b == ',') return 1;
  if (b < 16) return 2;
  if (b > 240) return 3;
  return 4;
}

// The encoded ICC profile: entropy-coded bytes, skipped by decoding them.
void skip_icc(BitReader& br) {
  const uint64_t size = read_u64(br);
  require(size <= (uint64_t{1} << 28), "ICC profile too large");
  const uint64_t start = br.position();
  EntropyDecoder decoder(br, 41);
  uint8_t b1 = 0, b2 = 0;
  for (uint64_t i = 0; i < size; ++i) {
    // Guards against streams that decode without consuming bits.
    if ((i & 0xFFFF) == 0 && i > 0) {
      require(i <= (br.position() - start) / 8 * 256 + 0x10000, "invalid ICC stream");
    }
    const uint32_t context = i <= 128 ? 0 : 1 + byte_kind1(b1) + byte_kind2(b2) * 8;
    const uint8_t byte = static_cast<uint8_t>(decoder.read(context));
    b2 = b1;
    b1 = byte;
  }
  decoder.check_final_state();
}

int64_t unpack_signed(uint32_t u) {
  return (u & 1) ? -static_cast<int64_t>((uint64_t{u} + 1) >> 1) : static_cast<int64_t>(u >> 1);
}

uint32_t read_blend_mode(BitReader& br, size_t num_extra, bool partial) {
  const uint32_t mode = read_u32(br, Val(0), Val(1), Val(2), BitsOffset(2, 3));
  require(mode <= 4, "invalid blend mode");
  const bool alpha_blend = num_extra > 0 && (mode == 2 || mode == 3);
  if (alpha_blend) read_u32(br, Val(0), Val(1), Val(2), BitsOffset(3, 3));
  if (alpha_blend || mode == 4) br.read(1);  // clamp
  if (mode != 0 || partial) read_u32(br, Val(0), Val(1), Val(2), Val(3));  // source
  return mode;
}

uint64_t div_ceil(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

}  // namespace

Frame read_frame_header(BitReader& br, const Metadata& m, Size image) {
  Frame f;
  f.width = image.width;
  f.height = image.height;
  if (br.flag()) return f;  // all default
  f.type = read_u32(br, Val(0), Val(1), Val(2), Val(3));
  f.modular = br.flag();
  const uint64_t flags = read_u64(br);
  const bool use_dc_frame = (flags & 32) != 0;
  const bool ycbcr = !m.xyb_encoded && br.flag();
  if (ycbcr && !use_dc_frame) {
    static const uint32_t kH[4] = {0, 1, 1, 0}, kV[4] = {0, 1, 0, 1};
    for (int c = 0; c < 3; ++c) {
      const uint32_t mode = br.read(2);
      f.max_hshift = std::max(f.max_hshift, kH[mode]);
      f.max_vshift = std::max(f.max_vshift, kV[mode]);
    }
  }
  const size_t num_extra = m.extra_channel_dim_shift.size();
  if (!use_dc_frame) {
    f.upsampling = read_u32(br, Val(1), Val(2), Val(4), Val(8));
    for (size_t i = 0; i < num_extra; ++i) read_u32(br, Val(1), Val(2), Val(4), Val(8));
  }
  if (f.modular) f.group_shift = br.read(2);
  if (!f.modular && m.xyb_encoded) br.read(6);  // x and b quantization matrix scales
  if (f.type != kReferenceOnly) {
    f.passes = read_u32(br, Val(1), Val(2), Val(3), BitsOffset(3, 4));
    if (f.passes != 1) {
      const uint32_t downsample = read_u32(br, Val(0), Val(1), Val(2), BitsOffset(1, 3));
      require(downsample <= f.passes && f.passes <= 11, "invalid passes");
      br.skip(2 * (f.passes - 1));  // shifts
      for (uint32_t i = 0; i < downsample; ++i) read_u32(br, Val(1), Val(2), Val(4), Val(8));
      for (uint32_t i = 0; i < downsample; ++i) read_u32(br, Val(0), Val(1), Val(2), Bits(3));
    }
  }
  if (f.type == kDc) f.dc_level = read_u32(br, Val(1), Val(2), Val(3), Val(4));
  bool partial = false;
  if (f.type != kDc && br.flag()) {  // custom size or origin
    const Dist d0 = Bits(8), d1 = BitsOffset(11, 256), d2 = BitsOffset(14, 2304),
               d3 = BitsOffset(30, 18688);
    if (f.type == kRegular || f.type == kSkipProgressive) {
      f.x0 = unpack_signed(read_u32(br, d0, d1, d2, d3));
      f.y0 = unpack_signed(read_u32(br, d0, d1, d2, d3));
    }
    f.width = read_u32(br, d0, d1, d2, d3);
    f.height = read_u32(br, d0, d1, d2, d3);
    require(f.width > 0 && f.height > 0, "empty frame");
    if (f.type == kRegular || f.type == kSkipProgressive) {
      partial = f.x0 > 0 || f.y0 > 0 ||
                static_cast<int64_t>(f.width) + f.x0 < static_cast<int64_t>(image.width) ||
                static_cast<int64_t>(f.height) + f.y0 < static_cast<int64_t>(image.height);
    }
  }
  uint32_t blend_mode = 0;
  uint32_t duration = 0;
  if (f.type == kRegular || f.type == kSkipProgressive) {
    blend_mode = read_blend_mode(br, num_extra, partial);
    for (size_t i = 0; i < num_extra; ++i) read_blend_mode(br, num_extra, partial);
    if (m.have_animation) {
      duration = read_u32(br, Val(0), Val(1), Bits(8), Bits(32));
      if (m.have_timecodes) br.read(32);
    }
    f.is_last = br.flag();
  }
  if (f.type != kRegular) f.is_last = false;
  uint32_t save_as_reference = 0;
  if (f.type != kDc && !f.is_last) save_as_reference = read_u32(br, Val(0), Val(1), Val(2), Val(3));
  if (f.type != kDc) {
    const bool can_be_referenced = !f.is_last && (duration == 0 || save_as_reference != 0);
    if (can_be_referenced && blend_mode == 0 && !partial &&
        (f.type == kRegular || f.type == kSkipProgressive)) {
      br.read(1);  // save before color transform
    } else if (f.type == kReferenceOnly) {
      br.read(1);
    }
  }
  skip_name(br);
  // Loop filter.
  if (!br.flag()) {
    if (br.flag() && br.flag()) skip_f16(br, 6);  // gaborish, custom weights
    const uint32_t epf_iters = br.read(2);
    if (epf_iters > 0) {
      if (!f.modular && br.flag()) skip_f16(br, 8);  // sharpness
      if (br.flag()) skip_f16(br, 5);                // channel weights
      if (br.flag()) skip_f16(br, f.modular ? 3 : 4);  // sigma
      if (f.modular) skip_f16(br, 1);
    }
    skip_extensions(br);
  }
  skip_extensions(br);
  if (f.dc_level != 0) {
    const uint64_t scale = uint64_t{1} << (3 * f.dc_level);
    f.width = (f.width + scale - 1) / scale;
    f.height = (f.height + scale - 1) / scale;
  }
  return f;
}


Metadata read_image_header(BitReader& br) {
  require(br.read(8) == 0xFF && br.read(8) == 0x0A, "no codestream signature");
  const Metadata m = read_metadata(br);
  require(m.size.width > 0 && m.size.height > 0, "empty image");
  check_image_pixels(m.size.width, m.size.height, "JPEG XL image");
  skip_transform_data(br, m.xyb_encoded);
  if (m.want_icc) skip_icc(br);
  br.align();
  return m;
}

Layout layout_of(const Frame& f) {
  Layout l;
  l.group_dim = uint64_t{128} << f.group_shift;
  l.width = div_ceil(f.width, f.upsampling);
  l.height = div_ceil(f.height, f.upsampling);
  const uint64_t blocks_x = div_ceil(l.width, uint64_t{8} << f.max_hshift) << f.max_hshift;
  const uint64_t blocks_y = div_ceil(l.height, uint64_t{8} << f.max_vshift) << f.max_vshift;
  l.groups_x = div_ceil(l.width, l.group_dim);
  l.groups_y = div_ceil(l.height, l.group_dim);
  l.dc_groups = div_ceil(blocks_x, l.group_dim) * div_ceil(blocks_y, l.group_dim);
  return l;
}


}  // namespace attention_jxl::codestream

// Bits of a JPEG XL codestream, least significant first, and the U32/U64
// field codings of the specification (ISO/IEC 18181-1, B.2). Every read is
// bounds checked (internal).
#pragma once

#include <cstddef>
#include <cstdint>

#include "jxl/codestream/codestream_error.h"

namespace attention_jxl::codestream {

class BitReader {
 public:
  BitReader(const uint8_t* data, size_t size) : data_(data), size_bits_(uint64_t{size} * 8) {}

  // Up to 32 bits, zeros past the end (for prefix code look-ups).
  uint32_t peek(unsigned n) const {
    uint64_t value = 0;
    const uint64_t byte = pos_ >> 3;
    const unsigned shift = pos_ & 7;
    for (unsigned i = 0; i < 5 && (byte + i) * 8 < size_bits_; ++i) {
      value |= uint64_t{data_[byte + i]} << (8 * i);
    }
    value >>= shift;
    return n == 0 ? 0 : static_cast<uint32_t>(value & ((uint64_t{1} << n) - 1));
  }
  void skip(uint64_t n) {
    if (n > size_bits_ - pos_) corrupt("truncated codestream");
    pos_ += n;
  }
  uint32_t read(unsigned n) {
    const uint32_t value = peek(n);
    skip(n);
    return value;
  }
  bool flag() { return read(1) != 0; }
  void align() { skip((8 - (pos_ & 7)) & 7); }
  uint64_t position() const { return pos_; }
  uint64_t size_bits() const { return size_bits_; }
  const uint8_t* data() const { return data_; }

 private:
  const uint8_t* data_;
  uint64_t size_bits_;
  uint64_t pos_ = 0;
};

// One of a U32 field's four distributions: `bits` == 0 means the constant
// `offset`.
struct Dist {
  unsigned bits;
  uint32_t offset;
};
constexpr Dist Val(uint32_t v) { return {0, v}; }
constexpr Dist Bits(unsigned n) { return {n, 0}; }
constexpr Dist BitsOffset(unsigned n, uint32_t o) { return {n, o}; }

inline uint32_t read_u32(BitReader& br, Dist d0, Dist d1, Dist d2, Dist d3) {
  const Dist d[4] = {d0, d1, d2, d3};
  const Dist& chosen = d[br.read(2)];
  return static_cast<uint32_t>(uint64_t{chosen.offset} + br.read(chosen.bits));
}

inline uint64_t read_u64(BitReader& br) {
  switch (br.read(2)) {
    case 0:
      return 0;
    case 1:
      return 1 + br.read(4);
    case 2:
      return 17 + br.read(8);
    default: {
      uint64_t value = br.read(12);
      unsigned shift = 12;
      while (br.flag()) {
        if (shift == 60) {
          value |= uint64_t{br.read(4)} << 60;
          break;
        }
        value |= uint64_t{br.read(8)} << shift;
        shift += 8;
      }
      return value;
    }
  }
}

inline unsigned ceil_log2(uint64_t x) {  // x >= 1
  unsigned n = 0;
  while ((uint64_t{1} << n) < x) ++n;
  return n;
}

}  // namespace attention_jxl::codestream

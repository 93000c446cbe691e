// Writes bits least significant first, as BitReader reads them (internal).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "jxl/codestream/bit_reader.h"

namespace attention_jxl::codestream {

class BitWriter {
 public:
  // The low `n` (<= 32) bits of `value`.
  void write(unsigned n, uint32_t value);
  // A U32 field in the first of its distributions that holds `value`.
  void write_u32(uint32_t value, Dist d0, Dist d1, Dist d2, Dist d3);
  // Zero bits up to the next byte boundary.
  void align();
  // `n` bits of `source` from bit `start` on, as they are.
  void copy_bits(const uint8_t* source, uint64_t start, uint64_t n);
  // Whole bytes; the writer must be byte aligned.
  void append(const uint8_t* data, size_t size);

  uint64_t bits_written() const { return bytes_.size() * 8 - free_bits_; }
  // The bytes written; the writer must be byte aligned.
  std::vector<uint8_t>& bytes();

 private:
  std::vector<uint8_t> bytes_;
  unsigned free_bits_ = 0;  // unused high bits of the last byte
};

}  // namespace attention_jxl::codestream

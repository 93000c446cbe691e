#include "jxl/codestream/bit_writer.h"

#include <cstring>

#include "attention_jxl/error.h"

namespace attention_jxl::codestream {
namespace {

void check_aligned(unsigned free_bits) {
  if (free_bits != 0) throw Error(ErrorCode::kInternal, "bit writer is not byte aligned");
}

}  // namespace

void BitWriter::write(unsigned n, uint32_t value) {
  uint64_t bits = n == 32 ? value : value & ((uint64_t{1} << n) - 1);
  while (n > 0) {
    if (free_bits_ == 0) {
      bytes_.push_back(0);
      free_bits_ = 8;
    }
    const unsigned take = n < free_bits_ ? n : free_bits_;
    bytes_.back() |= static_cast<uint8_t>((bits & ((1u << take) - 1)) << (8 - free_bits_));
    bits >>= take;
    n -= take;
    free_bits_ -= take;
  }
}

void BitWriter::write_u32(uint32_t value, Dist d0, Dist d1, Dist d2, Dist d3) {
  const Dist d[4] = {d0, d1, d2, d3};
  for (uint32_t selector = 0; selector < 4; ++selector) {
    const Dist& dist = d[selector];
    if (value < dist.offset) continue;
    const uint64_t rest = uint64_t{value} - dist.offset;
    if (dist.bits == 0 ? rest != 0 : rest >> dist.bits != 0) continue;
    write(2, selector);
    write(dist.bits, static_cast<uint32_t>(rest));
    return;
  }
  throw Error(ErrorCode::kInternal, "value " + std::to_string(value) + " does not fit its field");
}

void BitWriter::align() { free_bits_ = 0; }

void BitWriter::copy_bits(const uint8_t* source, uint64_t start, uint64_t n) {
  BitReader reader(source, static_cast<size_t>((start + n + 7) / 8));
  reader.skip(start);
  if ((start & 7) == 0 && free_bits_ == 0) {  // the common case: whole bytes
    const size_t whole = static_cast<size_t>(n / 8);
    append(source + start / 8, whole);
    reader.skip(uint64_t{whole} * 8);
    n -= uint64_t{whole} * 8;
  }
  while (n > 0) {
    const unsigned chunk = n < 32 ? static_cast<unsigned>(n) : 32;
    write(chunk, reader.read(chunk));
    n -= chunk;
  }
}

void BitWriter::append(const uint8_t* data, size_t size) {
  check_aligned(free_bits_);
  bytes_.insert(bytes_.end(), data, data + size);
}

std::vector<uint8_t>& BitWriter::bytes() {
  check_aligned(free_bits_);
  return bytes_;
}

}  // namespace attention_jxl::codestream

// The entropy decoder of the JPEG XL specification (ISO/IEC 18181-1, C):
// ANS and prefix codes, context maps, hybrid integers and LZ77, as the
// headers, the ICC profile and the table of contents use them (internal).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "jxl/codestream/bit_reader.h"

namespace attention_jxl::codestream {

// How values split into a token and raw bits (HybridUintConfig).
struct HybridUint {
  uint32_t split_exponent = 4, msb = 2, lsb = 0;

  void read_config(BitReader& br, unsigned log_alpha_size);
  uint32_t value(uint32_t token, BitReader& br) const;
};

// One ANS distribution as an alias table (the layout the encoder assumes).
struct AliasTable {
  struct Entry {
    uint32_t cutoff = 0, right = 0, offset1 = 0, freq0 = 0, freq1 = 0;
  };
  unsigned log_entry_size = 0;
  std::vector<Entry> entries;

  void init(std::vector<int32_t> counts, unsigned log_alpha_size);
  // Symbol, frequency and offset of the state's low 12 bits.
  void lookup(uint32_t value, uint32_t* symbol, uint32_t* freq, uint32_t* offset) const;
};

// A canonical prefix code, decoded one bit at a time (codes are read from
// their most significant bit).
struct PrefixCode {
  std::array<uint16_t, 16> count{};  // codes of each length
  std::vector<uint16_t> symbols;     // by length, then in code order

  // From (length, symbol) pairs already in code order; one symbol means a
  // zero-bit code.
  void assign(const std::vector<std::pair<unsigned, uint16_t>>& ordered);
  void from_lengths(const uint8_t* lengths, size_t n);
  uint32_t read(BitReader& br) const;
};

// The distributions of an entropy-coded stream and its reading state.
class EntropyDecoder {
 public:
  // `allow_lz77` is false for a context map of at most two contexts, as in
  // libjxl: LZ77 adds a context, which would need its own nested context map,
  // and so on without end.
  EntropyDecoder(BitReader& br, size_t num_contexts, bool allow_lz77 = true);

  uint32_t read(size_t context);
  void check_final_state() const;

 private:
  static constexpr uint64_t kWindowSize = 1 << 20;
  static constexpr uint64_t kWindowMask = kWindowSize - 1;

  size_t read_context_map(BitReader& br);
  uint32_t read_symbol(size_t cluster);

  BitReader& br_;
  bool lz77_ = false;
  uint32_t lz77_min_symbol_ = 0, lz77_min_length_ = 0;
  HybridUint lz77_length_;
  std::vector<uint8_t> context_map_;
  bool prefix_ = false;
  unsigned log_alpha_size_ = 0;
  std::vector<HybridUint> configs_;
  std::vector<PrefixCode> prefix_codes_;
  std::vector<AliasTable> tables_;
  uint32_t state_ = 0;
  std::vector<uint32_t> window_;
  uint64_t to_copy_ = 0, copy_pos_ = 0, decoded_ = 0;
};

}  // namespace attention_jxl::codestream

// Reads a JPEG XL codestream's headers and its first frame's table of
// contents (TOC) to find the order in which the groups are stored. Follows
// the JPEG XL specification (ISO/IEC 18181-1): the fields of SizeHeader,
// ImageMetadata, the ICC stream, FrameHeader and TOC, and the entropy decoder
// (ANS and prefix codes, context maps, hybrid integers, LZ77) the TOC
// permutation and the ICC profile are coded with. Every read is bounds
// checked; anything out of range is Error(kCorruptData).
#include "attention_jxl/group_order.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <utility>

#include "attention_jxl/error.h"
#include "attention_jxl/limits.h"

namespace attention_jxl {
namespace {

[[noreturn]] void corrupt(const std::string& message) {
  throw Error(ErrorCode::kCorruptData, "invalid JPEG XL data: " + message);
}

void require(bool condition, const char* message) {
  if (!condition) corrupt(message);
}

uint32_t load_be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// ---------------------------------------------------------------------------
// Container: the codestream is either the whole file or the payload of one
// jxlc box or of the jxlp boxes in order.

std::vector<uint8_t> extract_codestream(const uint8_t* data, size_t size) {
  static const uint8_t kContainer[12] = {0, 0, 0, 12, 'J', 'X', 'L', ' ', 0x0D, 0x0A, 0x87, 0x0A};
  if (size >= 2 && data[0] == 0xFF && data[1] == 0x0A) return {data, data + size};
  if (size < 12 || std::memcmp(data, kContainer, 12) != 0) {
    corrupt("no JPEG XL signature (" + std::to_string(size) + " bytes)");
  }
  std::vector<uint8_t> codestream;
  bool have_jxlc = false, have_jxlp = false;
  size_t pos = 12;
  while (pos < size) {
    require(size - pos >= 8, "truncated box header");
    uint64_t box_size = load_be32(data + pos);
    const uint8_t* type = data + pos + 4;
    size_t header = 8;
    if (box_size == 1) {
      require(size - pos >= 16, "truncated box header");
      box_size = (uint64_t{load_be32(data + pos + 8)} << 32) | load_be32(data + pos + 12);
      header = 16;
      if (box_size < header || box_size > size - pos) {
        // libjxl 0.7 writes (and reads) the 64-bit size before the type.
        const uint64_t size_first =
            (uint64_t{load_be32(data + pos + 4)} << 32) | load_be32(data + pos + 8);
        if (size_first >= header && size_first <= size - pos) {
          box_size = size_first;
          type = data + pos + 12;
        }
      }
    } else if (box_size == 0) {
      box_size = size - pos;  // the last box extends to the end of the file
    }
    const bool codestream_box =
        std::memcmp(type, "jxlc", 4) == 0 || std::memcmp(type, "jxlp", 4) == 0;
    // A cut-off file keeps the part of its codestream box that arrived.
    if (codestream_box && box_size > size - pos) box_size = size - pos;
    require(box_size >= header && box_size <= size - pos, "box size out of range");
    const uint8_t* payload = data + pos + header;
    const size_t payload_size = static_cast<size_t>(box_size) - header;
    if (std::memcmp(type, "jxlc", 4) == 0) {
      require(!have_jxlc && !have_jxlp, "more than one codestream box");
      have_jxlc = true;
      codestream.assign(payload, payload + payload_size);
    } else if (std::memcmp(type, "jxlp", 4) == 0) {
      require(!have_jxlc && payload_size >= 4, "invalid jxlp box");
      have_jxlp = true;
      codestream.insert(codestream.end(), payload + 4, payload + payload_size);
    }
    pos += static_cast<size_t>(box_size);
  }
  require(have_jxlc || have_jxlp, "container without a codestream box");
  return codestream;
}

// ---------------------------------------------------------------------------
// Bits, least significant first.

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

 private:
  const uint8_t* data_;
  uint64_t size_bits_;
  uint64_t pos_ = 0;
};

// A U32 distribution: `bits` == 0 means the constant `offset`.
struct Dist {
  unsigned bits;
  uint32_t offset;
};
constexpr Dist Val(uint32_t v) { return {0, v}; }
constexpr Dist Bits(unsigned n) { return {n, 0}; }
constexpr Dist BitsOffset(unsigned n, uint32_t o) { return {n, o}; }

uint32_t read_u32(BitReader& br, Dist d0, Dist d1, Dist d2, Dist d3) {
  const Dist d[4] = {d0, d1, d2, d3};
  const Dist& chosen = d[br.read(2)];
  return static_cast<uint32_t>(uint64_t{chosen.offset} + br.read(chosen.bits));
}

uint64_t read_u64(BitReader& br) {
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

// ---------------------------------------------------------------------------
// Entropy decoding.

unsigned ceil_log2(uint32_t x) {  // x >= 1
  unsigned n = 0;
  while ((uint64_t{1} << n) < x) ++n;
  return n;
}

struct HybridUint {
  uint32_t split_exponent = 4, msb = 2, lsb = 0;

  void read_config(BitReader& br, unsigned log_alpha_size) {
    split_exponent = br.read(ceil_log2(log_alpha_size + 1));
    msb = lsb = 0;
    if (split_exponent != log_alpha_size) {
      msb = br.read(ceil_log2(split_exponent + 1));
      require(msb <= split_exponent, "invalid hybrid integer configuration");
      lsb = br.read(ceil_log2(split_exponent - msb + 1));
    }
    require(msb + lsb <= split_exponent, "invalid hybrid integer configuration");
  }

  uint32_t value(uint32_t token, BitReader& br) const {
    const uint32_t split = 1u << split_exponent;
    if (token < split) return token;
    const uint64_t nbits =
        split_exponent - (msb + lsb) + ((uint64_t{token} - split) >> (msb + lsb));
    require(nbits + msb + lsb < 32, "integer too large");
    const uint32_t low = token & ((1u << lsb) - 1);
    token >>= lsb;
    const uint64_t high = (1u << msb) | (token & ((1u << msb) - 1));
    const uint64_t extra = br.read(static_cast<unsigned>(nbits));
    return static_cast<uint32_t>((((high << nbits) | extra) << lsb) | low);
  }
};

constexpr unsigned kLogTableSize = 12;
constexpr uint32_t kTableSize = 1u << kLogTableSize;

// One ANS distribution as an alias table (the layout the encoder assumes).
struct AliasTable {
  struct Entry {
    uint32_t cutoff = 0, right = 0, offset1 = 0, freq0 = 0, freq1 = 0;
  };
  unsigned log_entry_size = 0;
  std::vector<Entry> entries;

  void init(std::vector<int32_t> counts, unsigned log_alpha_size) {
    while (!counts.empty() && counts.back() == 0) counts.pop_back();
    if (counts.empty()) counts.push_back(kTableSize);
    const uint32_t table_size = 1u << log_alpha_size;
    const uint32_t entry_size = kTableSize >> log_alpha_size;
    log_entry_size = kLogTableSize - log_alpha_size;
    entries.assign(table_size, Entry{});
    require(counts.size() <= table_size, "alphabet too large");
    for (size_t s = 0; s < counts.size(); ++s) {
      if (static_cast<uint32_t>(counts[s]) == kTableSize) {
        for (uint32_t i = 0; i < table_size; ++i) {
          entries[i] = {0, static_cast<uint32_t>(s), entry_size * i, 0, kTableSize};
        }
        return;
      }
    }
    std::vector<uint32_t> cutoffs(table_size, 0), underfull, overfull;
    for (uint32_t i = 0; i < table_size; ++i) {
      cutoffs[i] = i < counts.size() ? static_cast<uint32_t>(counts[i]) : 0;
      if (cutoffs[i] > entry_size) {
        overfull.push_back(i);
      } else if (cutoffs[i] < entry_size) {
        underfull.push_back(i);
      }
    }
    while (!overfull.empty()) {
      const uint32_t over = overfull.back();
      overfull.pop_back();
      require(!underfull.empty(), "invalid distribution");
      const uint32_t under = underfull.back();
      underfull.pop_back();
      cutoffs[over] -= entry_size - cutoffs[under];
      entries[under].right = over;
      entries[under].offset1 = cutoffs[over];
      if (cutoffs[over] < entry_size) {
        underfull.push_back(over);
      } else if (cutoffs[over] > entry_size) {
        overfull.push_back(over);
      }
    }
    for (uint32_t i = 0; i < table_size; ++i) {
      Entry& e = entries[i];
      if (cutoffs[i] == entry_size) {
        e.right = i;
        e.offset1 = 0;
        e.cutoff = 0;
      } else {
        e.offset1 -= cutoffs[i];
        e.cutoff = cutoffs[i];
      }
      e.freq0 = i < counts.size() ? static_cast<uint32_t>(counts[i]) : 0;
      e.freq1 = e.right < counts.size() ? static_cast<uint32_t>(counts[e.right]) : 0;
    }
  }

  // Symbol, frequency and offset of the state's low 12 bits.
  void lookup(uint32_t value, uint32_t* symbol, uint32_t* freq, uint32_t* offset) const {
    const uint32_t i = value >> log_entry_size;
    const uint32_t pos = value & ((1u << log_entry_size) - 1);
    const Entry& e = entries[i];
    if (pos >= e.cutoff) {
      *symbol = e.right;
      *offset = e.offset1 + pos;
      *freq = e.freq1;
    } else {
      *symbol = i;
      *offset = pos;
      *freq = e.freq0;
    }
  }
};

uint32_t read_var_len_u8(BitReader& br) {
  if (!br.flag()) return 0;
  const unsigned n = br.read(3);
  return n == 0 ? 1 : br.read(n) + (1u << n);
}

uint32_t read_var_len_u16(BitReader& br) {
  if (!br.flag()) return 0;
  const unsigned n = br.read(4);
  return n == 0 ? 1 : br.read(n) + (1u << n);
}

std::vector<int32_t> read_ans_counts(BitReader& br) {
  std::vector<int32_t> counts;
  if (br.flag()) {  // one or two symbols
    const unsigned num = br.read(1) + 1;
    uint32_t symbols[2] = {0, 0};
    for (unsigned i = 0; i < num; ++i) symbols[i] = read_var_len_u8(br);
    counts.assign(std::max(symbols[0], symbols[1]) + 1, 0);
    if (num == 1) {
      counts[symbols[0]] = kTableSize;
    } else {
      require(symbols[0] != symbols[1], "invalid histogram");
      counts[symbols[0]] = static_cast<int32_t>(br.read(kLogTableSize));
      counts[symbols[1]] = static_cast<int32_t>(kTableSize) - counts[symbols[0]];
    }
    return counts;
  }
  if (br.flag()) {  // flat
    const uint32_t length = read_var_len_u8(br) + 1;
    counts.assign(length, static_cast<int32_t>(kTableSize / length));
    for (uint32_t i = 0; i < kTableSize % length; ++i) ++counts[i];
    return counts;
  }
  unsigned log = 0;
  while (log < 3 && br.flag()) ++log;
  const uint32_t shift = (br.read(log) | (1u << log)) - 1;
  require(shift <= kLogTableSize + 1, "invalid histogram shift");
  const size_t length = read_var_len_u8(br) + 3;
  counts.assign(length, 0);
  // Log-counts in a fixed prefix code: (bits, value) for each 7-bit look-up.
  static const uint8_t kCode[128][2] = {
      {3, 10}, {7, 12}, {3, 7}, {4, 3}, {3, 6}, {3, 8}, {3, 9}, {4, 5}, {3, 10}, {4, 4}, {3, 7},
      {4, 1},  {3, 6},  {3, 8}, {3, 9}, {4, 2}, {3, 10}, {5, 0}, {3, 7}, {4, 3}, {3, 6}, {3, 8},
      {3, 9},  {4, 5},  {3, 10}, {4, 4}, {3, 7}, {4, 1}, {3, 6}, {3, 8}, {3, 9}, {4, 2}, {3, 10},
      {6, 11}, {3, 7},  {4, 3}, {3, 6}, {3, 8}, {3, 9}, {4, 5}, {3, 10}, {4, 4}, {3, 7}, {4, 1},
      {3, 6},  {3, 8},  {3, 9}, {4, 2}, {3, 10}, {5, 0}, {3, 7}, {4, 3}, {3, 6}, {3, 8}, {3, 9},
      {4, 5},  {3, 10}, {4, 4}, {3, 7}, {4, 1}, {3, 6}, {3, 8}, {3, 9}, {4, 2}, {3, 10}, {7, 13},
      {3, 7},  {4, 3},  {3, 6}, {3, 8}, {3, 9}, {4, 5}, {3, 10}, {4, 4}, {3, 7}, {4, 1}, {3, 6},
      {3, 8},  {3, 9},  {4, 2}, {3, 10}, {5, 0}, {3, 7}, {4, 3}, {3, 6}, {3, 8}, {3, 9}, {4, 5},
      {3, 10}, {4, 4},  {3, 7}, {4, 1}, {3, 6}, {3, 8}, {3, 9}, {4, 2}, {3, 10}, {6, 11}, {3, 7},
      {4, 3},  {3, 6},  {3, 8}, {3, 9}, {4, 5}, {3, 10}, {4, 4}, {3, 7}, {4, 1}, {3, 6}, {3, 8},
      {3, 9},  {4, 2},  {3, 10}, {5, 0}, {3, 7}, {4, 3}, {3, 6}, {3, 8}, {3, 9}, {4, 5}, {3, 10},
      {4, 4},  {3, 7},  {4, 1}, {3, 6}, {3, 8}, {3, 9}, {4, 2}};
  std::vector<int> logcounts(length, 0), same(length, 0);
  int omit_log = -1, omit_pos = -1;
  for (size_t i = 0; i < length; ++i) {
    const uint32_t index = br.peek(7);
    br.skip(kCode[index][0]);
    logcounts[i] = kCode[index][1];
    if (logcounts[i] == static_cast<int>(kLogTableSize) + 1) {  // run of the previous count
      const uint32_t run = read_var_len_u8(br);
      same[i] = static_cast<int>(run) + 5;
      i += run + 3;
      continue;
    }
    if (logcounts[i] > omit_log) {
      omit_log = logcounts[i];
      omit_pos = static_cast<int>(i);
    }
  }
  require(omit_pos >= 0, "invalid histogram");
  int32_t total = 0, prev = 0;
  int numsame = 0;
  for (size_t i = 0; i < length; ++i) {
    if (same[i]) {
      numsame = same[i] - 1;
      prev = i > 0 ? counts[i - 1] : 0;
    }
    if (numsame > 0) {
      counts[i] = prev;
      --numsame;
    } else {
      const int code = logcounts[i];
      if (static_cast<int>(i) == omit_pos || code == 0) continue;
      if (code == 1) {
        counts[i] = 1;
      } else {
        const int precision = std::max(
            0, std::min(code - 1, static_cast<int>(shift) -
                                      static_cast<int>((kLogTableSize - (code - 1)) >> 1)));
        counts[i] = (1 << (code - 1)) +
                    static_cast<int32_t>(br.read(static_cast<unsigned>(precision))
                                         << (code - 1 - precision));
      }
    }
    total += counts[i];
    require(total <= static_cast<int32_t>(kTableSize), "invalid histogram");
  }
  counts[omit_pos] = static_cast<int32_t>(kTableSize) - total;
  require(counts[omit_pos] > 0, "invalid histogram");
  return counts;
}

// A canonical prefix code, decoded one bit at a time (codes are read from
// their most significant bit).
struct PrefixCode {
  std::array<uint16_t, 16> count{};  // codes of each length
  std::vector<uint16_t> symbols;     // by length, then in code order

  // From (length, symbol) pairs already in code order; one symbol means a
  // zero-bit code.
  void assign(const std::vector<std::pair<unsigned, uint16_t>>& ordered) {
    count.fill(0);
    symbols.clear();
    for (const auto& [length, symbol] : ordered) {
      ++count[length];
      symbols.push_back(symbol);
    }
  }

  void from_lengths(const uint8_t* lengths, size_t n) {
    std::vector<std::pair<unsigned, uint16_t>> ordered;
    for (unsigned length = 1; length < 16; ++length) {
      for (size_t s = 0; s < n; ++s) {
        if (lengths[s] == length) ordered.emplace_back(length, static_cast<uint16_t>(s));
      }
    }
    assign(ordered);
  }

  uint32_t read(BitReader& br) const {
    if (symbols.size() == 1) return symbols[0];
    uint32_t code = 0, first = 0, index = 0;
    for (unsigned length = 1; length < 16; ++length) {
      code |= br.read(1);
      if (code - first < count[length]) return symbols[index + code - first];
      index += count[length];
      first = (first + count[length]) << 1;
      code <<= 1;
    }
    corrupt("invalid prefix code");
  }
};

PrefixCode read_prefix_code(BitReader& br, uint32_t alphabet_size) {
  PrefixCode result;
  const uint32_t kind = br.read(2);
  if (kind == 1) {  // up to four symbols with fixed shapes
    const unsigned max_bits = alphabet_size > 1 ? ceil_log2(alphabet_size) : 0;
    unsigned num = br.read(2) + 1;
    uint16_t s[4] = {0, 0, 0, 0};
    for (unsigned i = 0; i < num; ++i) {
      s[i] = static_cast<uint16_t>(br.read(max_bits));
      require(s[i] < alphabet_size, "invalid prefix code symbol");
      for (unsigned j = 0; j < i; ++j) require(s[j] != s[i], "invalid prefix code");
    }
    if (num == 4 && br.flag()) num = 5;
    std::vector<std::pair<unsigned, uint16_t>> ordered;
    switch (num) {
      case 1:
        ordered = {{0, s[0]}};
        break;
      case 2:
        std::sort(s, s + 2);
        ordered = {{1, s[0]}, {1, s[1]}};
        break;
      case 3:
        std::sort(s + 1, s + 3);
        ordered = {{1, s[0]}, {2, s[1]}, {2, s[2]}};
        break;
      case 4:
        std::sort(s, s + 4);
        ordered = {{2, s[0]}, {2, s[1]}, {2, s[2]}, {2, s[3]}};
        break;
      default:
        std::sort(s + 2, s + 4);
        ordered = {{1, s[0]}, {2, s[1]}, {3, s[2]}, {3, s[3]}};
        break;
    }
    result.assign(ordered);
    return result;
  }
  // Code lengths of the code-length code, in a fixed prefix code.
  static const uint8_t kOrder[18] = {1, 2, 3, 4, 0, 5, 17, 6, 16, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  static const uint8_t kLengthCode[16][2] = {{2, 0}, {2, 4}, {2, 3}, {3, 2}, {2, 0}, {2, 4},
                                             {2, 3}, {4, 1}, {2, 0}, {2, 4}, {2, 3}, {3, 2},
                                             {2, 0}, {2, 4}, {2, 3}, {4, 5}};
  uint8_t meta_lengths[18] = {0};
  int space = 32, num_codes = 0;
  for (unsigned i = kind; i < 18 && space > 0; ++i) {
    const uint32_t index = br.peek(4);
    br.skip(kLengthCode[index][0]);
    const uint8_t v = kLengthCode[index][1];
    meta_lengths[kOrder[i]] = v;
    if (v != 0) {
      space -= 32 >> v;
      ++num_codes;
    }
  }
  require(num_codes == 1 || space == 0, "invalid prefix code");
  PrefixCode meta;
  meta.from_lengths(meta_lengths, 18);
  std::vector<uint8_t> lengths(alphabet_size, 0);
  uint32_t symbol = 0;
  uint8_t prev_length = 8, repeat_length = 0;
  uint32_t repeat = 0;
  int32_t total = 32768;
  while (symbol < alphabet_size && total > 0) {
    const uint32_t length = meta.read(br);
    if (length < 16) {
      repeat = 0;
      lengths[symbol++] = static_cast<uint8_t>(length);
      if (length != 0) {
        prev_length = static_cast<uint8_t>(length);
        total -= 32768 >> length;
      }
      continue;
    }
    const unsigned extra_bits = length == 16 ? 2 : 3;
    const uint8_t new_length = length == 16 ? prev_length : 0;
    if (repeat_length != new_length) {
      repeat = 0;
      repeat_length = new_length;
    }
    const uint32_t old_repeat = repeat;
    if (repeat > 0) {
      require(repeat < (1u << 20), "invalid prefix code");
      repeat = (repeat - 2) << extra_bits;
    }
    repeat += br.read(extra_bits) + 3;
    const uint32_t delta = repeat - old_repeat;
    require(delta <= alphabet_size - symbol, "invalid prefix code");
    std::fill(lengths.begin() + symbol, lengths.begin() + symbol + delta, repeat_length);
    symbol += delta;
    if (repeat_length != 0) total -= static_cast<int32_t>(delta << (15 - repeat_length));
  }
  require(total == 0, "invalid prefix code");
  result.from_lengths(lengths.data(), alphabet_size);
  return result;
}

// The distributions of an entropy-coded stream and its reading state.
class EntropyDecoder {
 public:
  // `allow_lz77` is false for a context map of at most two contexts, as in
  // libjxl: LZ77 adds a context, which would need its own nested context map,
  // and so on without end.
  EntropyDecoder(BitReader& br, size_t num_contexts, bool allow_lz77 = true) : br_(br) {
    lz77_ = br.flag();
    require(allow_lz77 || !lz77_, "invalid context map");
    if (lz77_) {
      lz77_min_symbol_ =
          read_u32(br, Val(224), Val(512), Val(4096), BitsOffset(15, 8));
      lz77_min_length_ = read_u32(br, Val(3), Val(4), BitsOffset(2, 5), BitsOffset(8, 9));
      lz77_length_.read_config(br, 8);
      ++num_contexts;
    }
    context_map_.assign(num_contexts, 0);
    size_t num_clusters = 1;
    if (num_contexts > 1) num_clusters = read_context_map(br);
    prefix_ = br.flag();
    log_alpha_size_ = prefix_ ? 15 : br.read(2) + 5;
    configs_.resize(num_clusters);
    for (HybridUint& config : configs_) config.read_config(br, log_alpha_size_);
    if (prefix_) {
      std::vector<uint32_t> sizes(num_clusters);
      for (uint32_t& s : sizes) {
        s = read_var_len_u16(br) + 1;
        require(s <= (1u << 15), "alphabet too large");
      }
      prefix_codes_.resize(num_clusters);
      for (size_t c = 0; c < num_clusters; ++c) {
        if (sizes[c] > 1) {
          prefix_codes_[c] = read_prefix_code(br, sizes[c]);
        } else {
          prefix_codes_[c].assign({{0, 0}});
        }
      }
    } else {
      tables_.resize(num_clusters);
      for (AliasTable& table : tables_) {
        std::vector<int32_t> counts = read_ans_counts(br);
        require(counts.size() <= (size_t{1} << log_alpha_size_), "alphabet too large");
        table.init(std::move(counts), log_alpha_size_);
      }
      state_ = br.read(32);
    }
    if (lz77_) window_.assign(kWindowSize, 0);
  }

  uint32_t read(size_t context) {
    require(context < context_map_.size(), "invalid context");
    if (to_copy_ > 0) {
      const uint32_t value = window_[copy_pos_++ & kWindowMask];
      --to_copy_;
      window_[decoded_++ & kWindowMask] = value;
      return value;
    }
    const size_t cluster = context_map_[context];
    const uint32_t token = read_symbol(cluster);
    if (lz77_ && token >= lz77_min_symbol_) {
      to_copy_ = uint64_t{lz77_length_.value(token - lz77_min_symbol_, br_)} + lz77_min_length_;
      const size_t distance_cluster = context_map_.back();
      uint64_t distance =
          uint64_t{configs_[distance_cluster].value(read_symbol(distance_cluster), br_)} + 1;
      // A copy before any value repeats zeros (the window starts zeroed).
      distance = std::min<uint64_t>({distance, decoded_, kWindowSize});
      copy_pos_ = decoded_ - distance;
      return read(context);
    }
    const uint32_t value = configs_[cluster].value(token, br_);
    if (lz77_) window_[decoded_++ & kWindowMask] = value;
    return value;
  }

  void check_final_state() const {
    require(prefix_ || state_ == 0x130000, "entropy-coded stream does not end correctly");
  }

 private:
  static constexpr uint64_t kWindowSize = 1 << 20;
  static constexpr uint64_t kWindowMask = kWindowSize - 1;

  size_t read_context_map(BitReader& br) {
    if (br.flag()) {  // simple: fixed-width entries
      const unsigned bits = br.read(2);
      for (uint8_t& entry : context_map_) entry = static_cast<uint8_t>(br.read(bits));
    } else {
      const bool mtf = br.flag();
      EntropyDecoder nested(br, 1, /*allow_lz77=*/context_map_.size() > 2);
      for (uint8_t& entry : context_map_) {
        const uint32_t value = nested.read(0);
        require(value < 256, "invalid context map");
        entry = static_cast<uint8_t>(value);
      }
      nested.check_final_state();
      if (mtf) {
        uint8_t order[256];
        for (int i = 0; i < 256; ++i) order[i] = static_cast<uint8_t>(i);
        for (uint8_t& entry : context_map_) {
          const uint8_t index = entry;
          entry = order[index];
          std::memmove(order + 1, order, index);
          order[0] = entry;
        }
      }
    }
    const size_t clusters = *std::max_element(context_map_.begin(), context_map_.end()) + 1u;
    std::vector<bool> used(clusters, false);
    for (uint8_t entry : context_map_) used[entry] = true;
    require(std::all_of(used.begin(), used.end(), [](bool u) { return u; }),
            "incomplete context map");
    return clusters;
  }

  uint32_t read_symbol(size_t cluster) {
    if (prefix_) return prefix_codes_[cluster].read(br_);
    uint32_t symbol = 0, freq = 0, offset = 0;
    tables_[cluster].lookup(state_ & (kTableSize - 1), &symbol, &freq, &offset);
    state_ = freq * (state_ >> kLogTableSize) + offset;
    if (state_ < (1u << 16)) state_ = (state_ << 16) | br_.read(16);
    return symbol;
  }

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

// ---------------------------------------------------------------------------
// Headers.

uint64_t aspect_width(uint32_t ratio, uint64_t height) {
  static const uint32_t kRatios[8][2] = {{0, 0},  {1, 1}, {12, 10}, {4, 3},
                                         {3, 2},  {16, 9}, {5, 4},  {2, 1}};
  return height * kRatios[ratio][0] / kRatios[ratio][1];
}

struct Size {
  uint64_t width = 0, height = 0;
};

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

void skip_bit_depth(BitReader& br) {
  if (br.flag()) {  // floating point
    read_u32(br, Val(32), Val(16), Val(24), BitsOffset(6, 1));
    br.read(4);
  } else {
    read_u32(br, Val(8), Val(10), Val(12), BitsOffset(6, 1));
  }
}

struct Metadata {
  Size size;
  bool have_preview = false;
  Size preview;
  bool have_animation = false;
  bool have_timecodes = false;
  bool xyb_encoded = true;
  bool want_icc = false;
  std::vector<uint32_t> extra_channel_dim_shift;
};

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
    br.read(3);  // orientation
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
  skip_bit_depth(br);
  br.read(1);  // modular_16_bit_buffer_sufficient
  const uint32_t num_extra =
      read_u32(br, Val(0), Val(1), BitsOffset(4, 2), BitsOffset(12, 1));
  require(num_extra <= 256, "too many extra channels");
  for (uint32_t i = 0; i < num_extra; ++i) {
    uint32_t dim_shift = 0;
    if (!br.flag()) {
      const uint32_t type = read_enum(br);
      skip_bit_depth(br);
      dim_shift = read_u32(br, Val(0), Val(3), Val(4), BitsOffset(3, 1));
      require(dim_shift <= 3, "invalid extra channel");
      skip_name(br);
      if (type == 0) br.read(1);        // alpha: associated
      if (type == 2) skip_f16(br, 4);   // spot color
      if (type == 5) read_u32(br, Val(1), Bits(2), BitsOffset(4, 3), BitsOffset(8, 19));  // CFA
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

// ---------------------------------------------------------------------------
// Frames.

enum FrameType : uint32_t { kRegular = 0, kDc = 1, kReferenceOnly = 2, kSkipProgressive = 3 };

struct Frame {
  uint32_t type = kRegular;
  bool modular = false;
  uint32_t upsampling = 1;
  uint32_t group_shift = 1;
  uint32_t passes = 1;
  uint32_t dc_level = 0;
  int64_t x0 = 0, y0 = 0;
  uint64_t width = 0, height = 0;
  uint32_t max_hshift = 0, max_vshift = 0;
  bool is_last = true;
};

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

uint64_t div_ceil(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

struct Layout {
  uint64_t group_dim, width, height, groups_x, groups_y, dc_groups;
};

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

// Lehmer code -> permutation: entry i is the code[i]-th unused index.
std::vector<uint32_t> decode_lehmer(const std::vector<uint32_t>& code) {
  const size_t n = code.size();
  // A Fenwick tree of the unused indices finds the k-th in O(log n).
  std::vector<uint32_t> tree(n + 1, 0);
  for (size_t i = 1; i <= n; ++i) {
    ++tree[i];
    const size_t parent = i + (i & (~i + 1));
    if (parent <= n) tree[parent] += tree[i];
  }
  size_t top = 1;
  while (top * 2 <= n) top *= 2;
  std::vector<uint32_t> permutation(n);
  for (size_t i = 0; i < n; ++i) {
    uint32_t k = code[i];  // 0-based rank among unused
    size_t pos = 0;
    for (size_t step = top; step > 0; step >>= 1) {
      if (pos + step <= n && tree[pos + step] <= k) {
        pos += step;
        k -= tree[pos];
      }
    }
    permutation[i] = static_cast<uint32_t>(pos);  // index pos (1-based pos + 1)
    for (size_t j = pos + 1; j <= n; j += j & (~j + 1)) --tree[j];
  }
  return permutation;
}

struct Toc {
  std::vector<uint32_t> permutation;  // empty: identity
  uint64_t total_size = 0;
};

Toc read_toc(BitReader& br, uint64_t entries) {
  require(entries <= 65536, "too many TOC entries");
  Toc toc;
  if (br.flag()) {
    EntropyDecoder decoder(br, 8);
    // The context of a value is its bit length (HybridUint(0, 0, 0) token), at most 7.
    const auto token_context = [](uint32_t v) {
      uint32_t token = 0;
      while (token < 32 && (uint64_t{1} << token) <= v) ++token;
      return std::min<uint32_t>(token, 7);
    };
    const uint32_t end = decoder.read(token_context(static_cast<uint32_t>(entries)));
    require(end <= entries, "invalid TOC permutation");
    std::vector<uint32_t> lehmer(entries, 0);
    uint32_t last = 0;
    for (uint32_t i = 0; i < end; ++i) {
      lehmer[i] = decoder.read(token_context(last));
      last = lehmer[i];
      require(uint64_t{lehmer[i]} + i < entries, "invalid TOC permutation");
    }
    decoder.check_final_state();
    toc.permutation = decode_lehmer(lehmer);
  }
  br.align();
  for (uint64_t i = 0; i < entries; ++i) {
    toc.total_size += read_u32(br, Bits(10), BitsOffset(14, 1024), BitsOffset(22, 17408),
                               BitsOffset(30, 4211712));
  }
  br.align();
  return toc;
}

}  // namespace

std::vector<GroupOrigin> group_order(const uint8_t* data, size_t size) {
  if (data == nullptr || size == 0) corrupt("no data (0 bytes)");
  const std::vector<uint8_t> codestream = extract_codestream(data, size);
  BitReader br(codestream.data(), codestream.size());
  require(br.read(8) == 0xFF && br.read(8) == 0x0A, "no codestream signature");
  const Metadata m = read_metadata(br);
  require(m.size.width > 0 && m.size.height > 0, "empty image");
  check_image_pixels(m.size.width, m.size.height, "JPEG XL image");
  skip_transform_data(br, m.xyb_encoded);
  if (m.want_icc) skip_icc(br);
  br.align();

  bool preview = m.have_preview;
  for (;;) {
    const Frame f = read_frame_header(br, m, preview ? m.preview : m.size);
    const Layout l = layout_of(f);
    const uint64_t groups = l.groups_x * l.groups_y;
    require(groups <= 65536 && l.dc_groups <= 65536, "too many groups");
    const bool single = groups == 1 && f.passes == 1;
    const uint64_t entries = single ? 1 : 2 + l.dc_groups + groups * f.passes;
    const Toc toc = read_toc(br, entries);
    if (!preview && (f.type == kRegular || f.type == kSkipProgressive)) {
      std::vector<GroupOrigin> origins(groups);
      std::vector<uint64_t> position(groups);
      const uint64_t first_ac = single ? 0 : 2 + l.dc_groups;
      const uint64_t scale = l.group_dim * f.upsampling;
      for (uint64_t g = 0; g < groups; ++g) {
        origins[g].x = static_cast<uint64_t>(
            std::max<int64_t>(0, f.x0 + static_cast<int64_t>((g % l.groups_x) * scale)));
        origins[g].y = static_cast<uint64_t>(
            std::max<int64_t>(0, f.y0 + static_cast<int64_t>((g / l.groups_x) * scale)));
        const uint64_t entry = first_ac + g;
        position[g] = toc.permutation.empty() ? entry : toc.permutation[entry];
      }
      std::vector<uint64_t> order(groups);
      for (uint64_t g = 0; g < groups; ++g) order[g] = g;
      std::sort(order.begin(), order.end(),
                [&](uint64_t a, uint64_t b) { return position[a] < position[b]; });
      std::vector<GroupOrigin> result;
      result.reserve(groups);
      for (uint64_t g : order) result.push_back(origins[g]);
      return result;
    }
    // Skip a preview, DC or reference frame.
    require(toc.total_size * 8 <= br.size_bits() - br.position(), "truncated frame");
    br.skip(toc.total_size * 8);
    preview = false;
  }
}

}  // namespace attention_jxl

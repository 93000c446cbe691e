#include "jxl/codestream/entropy_decoder.h"

#include <algorithm>
#include <cstring>

namespace attention_jxl::codestream {
namespace {

constexpr unsigned kLogTableSize = 12;
constexpr uint32_t kTableSize = 1u << kLogTableSize;

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

}  // namespace

void HybridUint::read_config(BitReader& br, unsigned log_alpha_size) {
  split_exponent = br.read(ceil_log2(log_alpha_size + 1));
  msb = lsb = 0;
  if (split_exponent != log_alpha_size) {
    msb = br.read(ceil_log2(split_exponent + 1));
    require(msb <= split_exponent, "invalid hybrid integer configuration");
    lsb = br.read(ceil_log2(split_exponent - msb + 1));
  }
  require(msb + lsb <= split_exponent, "invalid hybrid integer configuration");
}

uint32_t HybridUint::value(uint32_t token, BitReader& br) const {
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

void AliasTable::init(std::vector<int32_t> counts, unsigned log_alpha_size) {
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

void AliasTable::lookup(uint32_t value, uint32_t* symbol, uint32_t* freq, uint32_t* offset) const {
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

void PrefixCode::assign(const std::vector<std::pair<unsigned, uint16_t>>& ordered) {
  count.fill(0);
  symbols.clear();
  for (const auto& [length, symbol] : ordered) {
    ++count[length];
    symbols.push_back(symbol);
  }
}

void PrefixCode::from_lengths(const uint8_t* lengths, size_t n) {
  std::vector<std::pair<unsigned, uint16_t>> ordered;
  for (unsigned length = 1; length < 16; ++length) {
    for (size_t s = 0; s < n; ++s) {
      if (lengths[s] == length) ordered.emplace_back(length, static_cast<uint16_t>(s));
    }
  }
  assign(ordered);
}

uint32_t PrefixCode::read(BitReader& br) const {
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

EntropyDecoder::EntropyDecoder(BitReader& br, size_t num_contexts, bool allow_lz77) : br_(br) {
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

uint32_t EntropyDecoder::read(size_t context) {
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

void EntropyDecoder::check_final_state() const {
  require(prefix_ || state_ == 0x130000, "entropy-coded stream does not end correctly");
}

size_t EntropyDecoder::read_context_map(BitReader& br) {
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

uint32_t EntropyDecoder::read_symbol(size_t cluster) {
  if (prefix_) return prefix_codes_[cluster].read(br_);
  uint32_t symbol = 0, freq = 0, offset = 0;
  tables_[cluster].lookup(state_ & (kTableSize - 1), &symbol, &freq, &offset);
  state_ = freq * (state_ >> kLogTableSize) + offset;
  if (state_ < (1u << 16)) state_ = (state_ << 16) | br_.read(16);
  return symbol;
}

}  // namespace attention_jxl::codestream

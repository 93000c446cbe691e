#include "jxl/codestream/entropy_encoder.h"

#include <algorithm>
#include <queue>
#include <utility>

namespace attention_jxl::codestream {
namespace {

// HybridUint(4, 1, 0): values below 16 are their own token; above, the token
// holds the bit length and the next bit, the rest follows raw.
constexpr uint32_t kSplitExponent = 4, kMsb = 1, kLsb = 0;
constexpr unsigned kMaxSymbolLength = 15;  // of the prefix codes
constexpr unsigned kMaxLengthCodeLength = 5;

struct Coded {
  uint32_t token, extra_bits, extra;
};

Coded tokenize(uint32_t value) {
  constexpr uint32_t split = 1u << kSplitExponent;
  if (value < split) return {value, 0, 0};
  unsigned n = 31;
  while ((value >> n) == 0) --n;
  const uint32_t rest = value - (1u << n);
  const uint32_t token = split + ((n - kSplitExponent) << (kMsb + kLsb)) +
                         ((rest >> (n - kMsb)) << kLsb) + (rest & ((1u << kLsb) - 1));
  const uint32_t extra_bits = n - kMsb - kLsb;
  return {token, extra_bits, (value >> kLsb) & ((1u << extra_bits) - 1)};
}

// Huffman code lengths of `counts`, none over `limit`; halving the counts
// until the tree is shallow enough is crude but ends (equal counts give a
// balanced tree) and the streams are short.
std::vector<uint8_t> code_lengths(std::vector<uint64_t> counts, unsigned limit) {
  const size_t n = counts.size();
  if (std::count_if(counts.begin(), counts.end(), [](uint64_t c) { return c > 0; }) < 2) {
    // No tree to build: the one symbol gets length 1 (sent as a one-symbol code).
    std::vector<uint8_t> lengths(n, 0);
    for (size_t s = 0; s < n; ++s) lengths[s] = counts[s] > 0 ? 1 : 0;
    return lengths;
  }
  for (;;) {
    using Node = std::pair<uint64_t, size_t>;  // weight, node index
    std::priority_queue<Node, std::vector<Node>, std::greater<Node>> queue;
    std::vector<size_t> parent(2 * n, 0);
    size_t next = n;
    for (size_t s = 0; s < n; ++s) {
      if (counts[s] > 0) queue.emplace(counts[s], s);
    }
    while (queue.size() > 1) {
      const Node a = queue.top();
      queue.pop();
      const Node b = queue.top();
      queue.pop();
      parent[a.second] = parent[b.second] = next;
      queue.emplace(a.first + b.first, next++);
    }
    const size_t root = next - 1;
    std::vector<uint8_t> lengths(n, 0);
    bool fits = true;
    for (size_t s = 0; s < n; ++s) {
      if (counts[s] == 0) continue;
      unsigned depth = 0;
      for (size_t node = s; node != root; node = parent[node]) ++depth;
      lengths[s] = static_cast<uint8_t>(depth);
      fits = fits && depth <= limit;
    }
    if (fits) return lengths;
    for (uint64_t& count : counts) {
      if (count > 0) count = (count + 1) / 2;
    }
  }
}

// Canonical codes for `lengths`, as PrefixCode::from_lengths assigns them:
// by length, then by symbol.
std::vector<uint32_t> canonical_codes(const std::vector<uint8_t>& lengths) {
  std::vector<uint32_t> codes(lengths.size(), 0);
  uint32_t code = 0;
  for (unsigned length = 1; length <= kMaxSymbolLength; ++length) {
    for (size_t s = 0; s < lengths.size(); ++s) {
      if (lengths[s] == length) codes[s] = code++;
    }
    code <<= 1;
  }
  return codes;
}

// Most significant bit first, as PrefixCode::read takes them.
void write_code(BitWriter& bw, unsigned length, uint32_t code) {
  for (unsigned i = length; i > 0; --i) bw.write(1, (code >> (i - 1)) & 1);
}

// Lengths 0-15 through the code-length code, which is itself sent in the
// fixed code of the format (kind 0: no entries skipped).
void write_complex_prefix_code(BitWriter& bw, const std::vector<uint8_t>& lengths) {
  std::vector<uint64_t> length_counts(18, 0);
  for (uint8_t length : lengths) ++length_counts[length];
  std::vector<uint8_t> meta = code_lengths(length_counts, kMaxLengthCodeLength);
  if (std::count_if(meta.begin(), meta.end(), [](uint8_t l) { return l > 0; }) == 1) {
    // Every symbol has the same length: a code-length code of one symbol,
    // sent with length 1 and then read in zero bits.
    for (uint8_t& l : meta) l = l > 0 ? 1 : 0;
  }
  static const uint8_t kOrder[18] = {1, 2, 3, 4, 0, 5, 17, 6, 16, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  // (bits, pattern) of meta lengths 0..5 in the fixed code.
  static const uint8_t kFixed[6][2] = {{2, 0}, {4, 7}, {3, 3}, {2, 2}, {2, 1}, {4, 15}};
  bw.write(2, 0);
  int space = 32;
  for (unsigned i = 0; i < 18 && space > 0; ++i) {
    const uint8_t v = meta[kOrder[i]];
    bw.write(kFixed[v][0], kFixed[v][1]);
    if (v != 0) space -= 32 >> v;
  }
  const std::vector<uint32_t> meta_codes = canonical_codes(meta);
  const bool single = space != 0;  // one code-length symbol: zero bits each
  int32_t total = 32768;
  for (size_t s = 0; s < lengths.size() && total > 0; ++s) {
    if (!single) write_code(bw, meta[lengths[s]], meta_codes[lengths[s]]);
    if (lengths[s] != 0) total -= 32768 >> lengths[s];
  }
}

void write_prefix_code(BitWriter& bw, const std::vector<uint8_t>& lengths,
                       const std::vector<uint64_t>& counts) {
  std::vector<uint16_t> used;
  for (size_t s = 0; s < counts.size(); ++s) {
    if (counts[s] > 0) used.push_back(static_cast<uint16_t>(s));
  }
  if (used.size() == 1) {  // kind 1 with one symbol: a zero-bit code
    bw.write(2, 1);
    bw.write(2, 0);
    bw.write(ceil_log2(counts.size()), used[0]);
    return;
  }
  write_complex_prefix_code(bw, lengths);
}

}  // namespace

void write_entropy_coded(BitWriter& bw, size_t num_contexts, const std::vector<Token>& tokens) {
  std::vector<Coded> coded;
  coded.reserve(tokens.size());
  uint32_t alphabet = 1;
  for (const Token& t : tokens) {
    coded.push_back(tokenize(t.value));
    alphabet = std::max(alphabet, coded.back().token + 1);
  }
  std::vector<uint64_t> counts(alphabet, 0);
  for (const Coded& c : coded) ++counts[c.token];
  if (coded.empty()) counts[0] = 1;

  bw.write(1, 0);  // no LZ77
  if (num_contexts > 1) {
    bw.write(1, 1);  // simple context map: zero bits per entry, all in cluster 0
    bw.write(2, 0);
  }
  bw.write(1, 1);  // prefix codes
  // HybridUint config, with log_alpha_size 15.
  bw.write(4, kSplitExponent);
  bw.write(ceil_log2(kSplitExponent + 1), kMsb);
  bw.write(ceil_log2(kSplitExponent - kMsb + 1), kLsb);
  // Alphabet size - 1 as VarLenUint16.
  const uint32_t size_minus_one = alphabet - 1;
  if (size_minus_one == 0) {
    bw.write(1, 0);
  } else {
    unsigned n = 0;
    while ((size_minus_one >> (n + 1)) != 0) ++n;
    bw.write(1, 1);
    bw.write(4, n);
    bw.write(n, size_minus_one - (1u << n));
  }
  std::vector<uint8_t> lengths;
  if (alphabet > 1) {
    lengths = code_lengths(counts, kMaxSymbolLength);
    write_prefix_code(bw, lengths, counts);
  }
  const bool zero_bit = alphabet == 1 || std::count(counts.begin(), counts.end(), 0u) ==
                                             static_cast<std::ptrdiff_t>(alphabet - 1);
  const std::vector<uint32_t> codes = canonical_codes(lengths);
  for (const Coded& c : coded) {
    if (!zero_bit) write_code(bw, lengths[c.token], codes[c.token]);
    bw.write(c.extra_bits, c.extra);
  }
}

}  // namespace attention_jxl::codestream

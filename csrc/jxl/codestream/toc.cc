#include "jxl/codestream/toc.h"

#include <algorithm>

#include "jxl/codestream/entropy_decoder.h"
#include "jxl/codestream/entropy_encoder.h"

namespace attention_jxl::codestream {
namespace {

constexpr uint64_t kMaxEntries = 65536;
constexpr size_t kPermutationContexts = 8;
const Dist kSize0 = Bits(10), kSize1 = BitsOffset(14, 1024), kSize2 = BitsOffset(22, 17408),
           kSize3 = BitsOffset(30, 4211712);

// The context of a permutation value is its bit length, at most 7
// (CoeffOrderContext).
uint32_t permutation_context(uint32_t value) {
  uint32_t bits = 0;
  while (bits < 32 && (uint64_t{1} << bits) <= value) ++bits;
  return std::min<uint32_t>(bits, 7);
}

// A Fenwick tree over the indices 0..n-1 that are still unused, for the
// Lehmer code in both directions in O(n log n).
class UnusedIndices {
 public:
  explicit UnusedIndices(size_t n) : tree_(n + 1, 0) {
    for (size_t i = 1; i <= n; ++i) {
      ++tree_[i];
      const size_t parent = i + (i & (~i + 1));
      if (parent <= n) tree_[parent] += tree_[i];
    }
    top_ = 1;
    while (top_ * 2 <= n) top_ *= 2;
  }
  // The k-th (from 0) unused index.
  uint32_t find(uint32_t k) const {
    size_t pos = 0;
    for (size_t step = top_; step > 0; step >>= 1) {
      if (pos + step < tree_.size() && tree_[pos + step] <= k) {
        pos += step;
        k -= tree_[pos];
      }
    }
    return static_cast<uint32_t>(pos);
  }
  // Unused indices below `index`.
  uint32_t rank(uint32_t index) const {
    uint32_t count = 0;
    for (size_t i = index; i > 0; i -= i & (~i + 1)) count += tree_[i];
    return count;
  }
  void remove(uint32_t index) {
    for (size_t j = size_t{index} + 1; j < tree_.size(); j += j & (~j + 1)) --tree_[j];
  }

 private:
  std::vector<uint32_t> tree_;
  size_t top_ = 1;
};

// Lehmer code -> permutation: entry i is the code[i]-th unused index.
std::vector<uint32_t> decode_lehmer(const std::vector<uint32_t>& code) {
  UnusedIndices unused(code.size());
  std::vector<uint32_t> permutation(code.size());
  for (size_t i = 0; i < code.size(); ++i) {
    permutation[i] = unused.find(code[i]);
    unused.remove(permutation[i]);
  }
  return permutation;
}

std::vector<uint32_t> encode_lehmer(const std::vector<uint32_t>& permutation) {
  UnusedIndices unused(permutation.size());
  std::vector<uint32_t> code(permutation.size());
  for (size_t i = 0; i < permutation.size(); ++i) {
    code[i] = unused.rank(permutation[i]);
    unused.remove(permutation[i]);
  }
  return code;
}

bool is_identity(const std::vector<uint32_t>& permutation) {
  for (size_t i = 0; i < permutation.size(); ++i) {
    if (permutation[i] != i) return false;
  }
  return true;
}

}  // namespace

Toc read_toc(BitReader& br, uint64_t entries) {
  require(entries <= kMaxEntries, "too many TOC entries");
  Toc toc;
  if (br.flag()) {
    EntropyDecoder decoder(br, kPermutationContexts);
    const uint32_t end = decoder.read(permutation_context(static_cast<uint32_t>(entries)));
    require(end <= entries, "invalid TOC permutation");
    std::vector<uint32_t> lehmer(entries, 0);
    uint32_t last = 0;
    for (uint32_t i = 0; i < end; ++i) {
      lehmer[i] = decoder.read(permutation_context(last));
      last = lehmer[i];
      require(uint64_t{lehmer[i]} + i < entries, "invalid TOC permutation");
    }
    decoder.check_final_state();
    toc.permutation = decode_lehmer(lehmer);
  }
  br.align();
  toc.sizes.resize(entries);
  for (uint32_t& size : toc.sizes) {
    size = read_u32(br, kSize0, kSize1, kSize2, kSize3);
    toc.total_size += size;
  }
  br.align();
  return toc;
}

void write_toc(BitWriter& bw, const Toc& toc) {
  const bool permuted = !toc.permutation.empty() && !is_identity(toc.permutation);
  bw.write(1, permuted ? 1 : 0);
  if (permuted) {
    const std::vector<uint32_t> lehmer = encode_lehmer(toc.permutation);
    uint32_t end = static_cast<uint32_t>(lehmer.size());
    while (end > 0 && lehmer[end - 1] == 0) --end;
    std::vector<Token> tokens;
    tokens.push_back({permutation_context(static_cast<uint32_t>(lehmer.size())), end});
    uint32_t last = 0;
    for (uint32_t i = 0; i < end; ++i) {
      tokens.push_back({permutation_context(last), lehmer[i]});
      last = lehmer[i];
    }
    write_entropy_coded(bw, kPermutationContexts, tokens);
  }
  bw.align();
  for (uint32_t size : toc.sizes) bw.write_u32(size, kSize0, kSize1, kSize2, kSize3);
  bw.align();
}

}  // namespace attention_jxl::codestream

// Writes an entropy-coded stream that EntropyDecoder (and every JPEG XL
// decoder) reads back: one cluster for all contexts, a prefix code, no LZ77.
// Meant for short streams such as a TOC permutation, where a few bytes of
// compression do not matter (internal).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "jxl/codestream/bit_writer.h"

namespace attention_jxl::codestream {

struct Token {
  uint32_t context;
  uint32_t value;
};

void write_entropy_coded(BitWriter& bw, size_t num_contexts, const std::vector<Token>& tokens);

}  // namespace attention_jxl::codestream

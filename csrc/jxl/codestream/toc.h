// A frame's table of contents (ISO/IEC 18181-1, C.3): the sizes of its
// sections in file order and the permutation that maps them to their
// logical order (internal).
#pragma once

#include <cstdint>
#include <vector>

#include "jxl/codestream/bit_reader.h"
#include "jxl/codestream/bit_writer.h"

namespace attention_jxl::codestream {

struct Toc {
  // Logical section -> its position in the file; empty: the identity.
  std::vector<uint32_t> permutation;
  std::vector<uint32_t> sizes;  // in file order
  uint64_t total_size = 0;

  uint32_t position(uint32_t section) const {
    return permutation.empty() ? section : permutation[section];
  }
};

// Reads the TOC of `entries` sections, ending byte aligned.
Toc read_toc(BitReader& br, uint64_t entries);

// Writes a TOC (an empty or identity permutation as none), ending byte
// aligned.
void write_toc(BitWriter& bw, const Toc& toc);

}  // namespace attention_jxl::codestream

// The JPEG XL container (ISO/IEC 18181-2): its boxes and the codestream they
// carry in one jxlc box or in jxlp boxes (internal).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace attention_jxl::codestream {

struct ContainerBox {
  std::string type;  // four characters
  size_t start = 0;  // of the box header in the file
  size_t size = 0;   // header included
  size_t payload_start = 0;
  size_t payload_size = 0;
  bool is_codestream() const { return type == "jxlc" || type == "jxlp"; }
};

struct Container {
  bool bare = true;        // the file is a bare codestream, no boxes
  std::vector<ContainerBox> boxes;  // in file order (none for a bare codestream)
  std::vector<uint8_t> codestream;
};

// Splits a file into its boxes and joins its codestream. With `allow_cut`, a
// file cut off inside its codestream box keeps the part that arrived (for
// reading the headers of a partial download). Without `join_codestream` only
// the boxes are listed (`codestream` stays empty; no copy is made).
Container read_container(const uint8_t* data, size_t size, bool allow_cut,
                         bool join_codestream = true);

// Appends a box with a 32-bit size (no JPEG XL reader needs larger boxes for
// a codestream under 4 GB; libjxl 0.7 reads 64-bit box sizes nonstandardly).
void append_box(std::vector<uint8_t>& out, const std::string& type, const uint8_t* payload,
                size_t payload_size);

// The 12-byte signature box that starts every container.
extern const uint8_t kContainerSignature[12];

}  // namespace attention_jxl::codestream

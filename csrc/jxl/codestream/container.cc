#include "jxl/codestream/container.h"

#include <cstring>

#include "attention_jxl/error.h"
#include "jxl/codestream/codestream_error.h"

namespace attention_jxl::codestream {

const uint8_t kContainerSignature[12] = {0, 0, 0, 12, 'J', 'X', 'L', ' ', 0x0D, 0x0A, 0x87, 0x0A};

namespace {

uint32_t load_be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

uint64_t load_be64(const uint8_t* p) { return (uint64_t{load_be32(p)} << 32) | load_be32(p + 4); }

}  // namespace

Container read_container(const uint8_t* data, size_t size, bool allow_cut,
                         bool join_codestream) {
  Container result;
  if (size >= 2 && data[0] == 0xFF && data[1] == 0x0A) {
    if (join_codestream) result.codestream.assign(data, data + size);
    return result;
  }
  if (size < 12 || std::memcmp(data, kContainerSignature, 12) != 0) {
    corrupt("no JPEG XL signature (" + std::to_string(size) + " bytes)");
  }
  result.bare = false;
  bool have_jxlc = false, have_jxlp = false;
  size_t pos = 12;
  while (pos < size) {
    require(size - pos >= 8, "truncated box header");
    uint64_t box_size = load_be32(data + pos);
    const uint8_t* type = data + pos + 4;
    size_t header = 8;
    if (box_size == 1) {
      require(size - pos >= 16, "truncated box header");
      box_size = load_be64(data + pos + 8);
      header = 16;
      if (box_size < header || box_size > size - pos) {
        // libjxl 0.7 writes (and reads) the 64-bit size before the type.
        const uint64_t size_first = load_be64(data + pos + 4);
        if (size_first >= header && size_first <= size - pos) {
          box_size = size_first;
          type = data + pos + 12;
        }
      }
    } else if (box_size == 0) {
      box_size = size - pos;  // the last box extends to the end of the file
    }
    ContainerBox box;
    box.type.assign(reinterpret_cast<const char*>(type), 4);
    if (allow_cut && box.is_codestream() && box_size > size - pos) box_size = size - pos;
    if (box_size > size - pos) {
      corrupt("truncated '" + box.type + "' box (" + std::to_string(box_size) + " bytes declared, " +
              std::to_string(size - pos) + " present)");
    }
    require(box_size >= header, "box size out of range");
    box.start = pos;
    box.size = static_cast<size_t>(box_size);
    box.payload_start = pos + header;
    box.payload_size = box.size - header;
    const uint8_t* payload = data + box.payload_start;
    if (box.type == "jxlc") {
      require(!have_jxlc && !have_jxlp, "more than one codestream box");
      have_jxlc = true;
      if (join_codestream) result.codestream.assign(payload, payload + box.payload_size);
    } else if (box.type == "jxlp") {
      require(!have_jxlc && box.payload_size >= 4, "invalid jxlp box");
      have_jxlp = true;
      if (join_codestream) {
        result.codestream.insert(result.codestream.end(), payload + 4,
                                 payload + box.payload_size);
      }
    }
    result.boxes.push_back(box);
    pos += box.size;
  }
  require(have_jxlc || have_jxlp, "container without a codestream box");
  return result;
}

void append_box(std::vector<uint8_t>& out, const std::string& type, const uint8_t* payload,
                size_t payload_size) {
  const uint64_t size = uint64_t{payload_size} + 8;
  if (size > 0xFFFFFFFFu) {
    throw Error(ErrorCode::kTooLarge,
                "a '" + type + "' box of " + std::to_string(payload_size) + " bytes is over 4 GB");
  }
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(size >> shift));
  out.insert(out.end(), type.begin(), type.end());
  out.insert(out.end(), payload, payload + payload_size);
}

}  // namespace attention_jxl::codestream

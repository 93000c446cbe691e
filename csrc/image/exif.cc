#include "image/exif.h"

#include <cstring>
#include <string>

namespace attention_jxl {
namespace {

constexpr char kExifPrefix[] = {'E', 'x', 'i', 'f', '\0', '\0'};
constexpr uint16_t kOrientationTag = 0x0112;
constexpr uint16_t kTypeShort = 3;
constexpr size_t kEntrySize = 12;  // tag, type, count, value/offset

// The TIFF structure inside the Exif block, in its own byte order.
class Tiff {
 public:
  Tiff(const uint8_t* data, size_t size, bool big_endian)
      : data_(data), size_(size), big_endian_(big_endian) {}

  // Callers check `fits` first.
  bool fits(uint64_t offset, uint64_t length) const {
    return offset <= size_ && length <= size_ - offset;
  }
  uint16_t u16(size_t offset) const {
    const uint8_t* p = data_ + offset;
    return big_endian_ ? static_cast<uint16_t>(p[0] << 8 | p[1])
                       : static_cast<uint16_t>(p[1] << 8 | p[0]);
  }
  uint32_t u32(size_t offset) const {
    const uint32_t high = u16(offset + (big_endian_ ? 0 : 2));
    const uint32_t low = u16(offset + (big_endian_ ? 2 : 0));
    return high << 16 | low;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  bool big_endian_;
};

ExifOrientation malformed(const std::string& problem) {
  ExifOrientation result;
  result.problem = "malformed Exif block: " + problem;
  return result;
}

}  // namespace

bool is_exif_payload(const uint8_t* payload, size_t size) {
  return size >= sizeof(kExifPrefix) &&
         std::memcmp(payload, kExifPrefix, sizeof(kExifPrefix)) == 0;
}

ExifOrientation read_exif_orientation(const uint8_t* payload, size_t size) {
  // JPEG APP1 payloads start with "Exif\0\0"; PNG eXIf chunks and Pillow's
  // metadata for some formats hold the TIFF data alone.
  const size_t prefix = is_exif_payload(payload, size) ? sizeof(kExifPrefix) : 0;
  const uint8_t* tiff_data = payload + prefix;
  const size_t tiff_size = size - prefix;
  if (tiff_size < 8) return malformed("truncated TIFF header");
  bool big_endian;
  if (tiff_data[0] == 'I' && tiff_data[1] == 'I') {
    big_endian = false;
  } else if (tiff_data[0] == 'M' && tiff_data[1] == 'M') {
    big_endian = true;
  } else {
    return malformed("the TIFF header has no II/MM byte order mark");
  }
  const Tiff tiff(tiff_data, tiff_size, big_endian);
  if (tiff.u16(2) != 42) return malformed("the TIFF header lacks its magic number 42");

  const uint32_t ifd = tiff.u32(4);
  if (ifd < 8 || !tiff.fits(ifd, 2)) {
    return malformed("IFD0 offset " + std::to_string(ifd) + " is outside the " +
                     std::to_string(tiff_size) + "-byte block");
  }
  const uint16_t entries = tiff.u16(ifd);
  if (!tiff.fits(uint64_t{ifd} + 2, uint64_t{entries} * kEntrySize)) {
    return malformed("IFD0 claims " + std::to_string(entries) +
                     " entries but the block ends first (truncated)");
  }
  for (size_t i = 0; i < entries; ++i) {
    const size_t entry = ifd + 2 + i * kEntrySize;
    if (tiff.u16(entry) != kOrientationTag) continue;
    const uint16_t type = tiff.u16(entry + 2);
    const uint32_t count = tiff.u32(entry + 4);
    if (type != kTypeShort || count != 1) {
      return malformed("the Orientation tag has type " + std::to_string(type) + " and count " +
                       std::to_string(count) + " (expected one SHORT)");
    }
    // A single SHORT sits in the first two bytes of the value field.
    const uint16_t value = tiff.u16(entry + 8);
    if (value < 1 || value > 8) {
      return malformed("Orientation " + std::to_string(value) + " is not in 1..8");
    }
    ExifOrientation result;
    result.value = value;
    return result;
  }
  return {};  // no Orientation tag: upright
}

}  // namespace attention_jxl

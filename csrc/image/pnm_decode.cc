#include "attention_jxl/pnm_decode.h"

#include <cctype>
#include <cstring>
#include <string>

#include "attention_jxl/error.h"
#include "attention_jxl/limits.h"

namespace attention_jxl {
namespace {

[[noreturn]] void corrupt(const std::string& message) {
  throw Error(ErrorCode::kCorruptData, "PNM: " + message);
}

// Reads the header tokens of P5/P6 (whitespace and # comments between them).
class HeaderReader {
 public:
  HeaderReader(const uint8_t* data, size_t size) : data_(data), size_(size), offset_(2) {}

  uint64_t number(const char* what) {
    skip_space_and_comments();
    uint64_t value = 0;
    size_t digits = 0;
    while (offset_ < size_ && std::isdigit(data_[offset_])) {
      value = value * 10 + (data_[offset_++] - '0');
      if (++digits > 10) corrupt(std::string(what) + " has too many digits");
    }
    if (digits == 0) corrupt(std::string("missing ") + what + " in the header");
    return value;
  }

  // The single whitespace byte that ends the header; returns the raster offset.
  size_t raster_start() {
    if (offset_ >= size_ || !std::isspace(data_[offset_])) corrupt("truncated header");
    return offset_ + 1;
  }

 private:
  void skip_space_and_comments() {
    while (offset_ < size_) {
      if (data_[offset_] == '#') {
        while (offset_ < size_ && data_[offset_] != '\n') ++offset_;
      } else if (std::isspace(data_[offset_])) {
        ++offset_;
      } else {
        return;
      }
    }
  }

  const uint8_t* data_;
  size_t size_;
  size_t offset_;
};

struct Header {
  uint64_t width = 0;
  uint64_t height = 0;
  uint64_t channels = 0;
  uint64_t maxval = 0;
  size_t raster = 0;  // offset of the first sample
};

Header read_netpbm_header(const uint8_t* data, size_t size) {
  HeaderReader reader(data, size);
  Header header;
  header.channels = data[1] == '5' ? 1 : 3;
  header.width = reader.number("width");
  header.height = reader.number("height");
  header.maxval = reader.number("maxval");
  header.raster = reader.raster_start();
  return header;
}

// PAM: "KEY value" lines up to ENDHDR.
Header read_pam_header(const uint8_t* data, size_t size) {
  Header header;
  size_t offset = 2;
  bool ended = false;
  while (offset < size && !ended) {
    const size_t line_end_or_size = [&] {
      const void* end = std::memchr(data + offset, '\n', size - offset);
      return end == nullptr ? size : static_cast<size_t>(static_cast<const uint8_t*>(end) - data);
    }();
    if (line_end_or_size == size) corrupt("truncated PAM header (no ENDHDR line)");
    std::string line(reinterpret_cast<const char*>(data + offset), line_end_or_size - offset);
    offset = line_end_or_size + 1;
    const size_t start = line.find_first_not_of(" \t\r");
    if (start == std::string::npos || line[start] == '#') continue;
    const size_t key_end = line.find_first_of(" \t\r", start);
    const std::string key = line.substr(start, key_end - start);
    const size_t value_start =
        key_end == std::string::npos ? std::string::npos : line.find_first_not_of(" \t\r", key_end);
    std::string value = value_start == std::string::npos ? "" : line.substr(value_start);
    value.erase(value.find_last_not_of(" \t\r") + 1);
    auto number = [&](const char* what) {
      if (value.empty() || !std::isdigit(static_cast<unsigned char>(value[0])) || value.size() > 10) {
        corrupt(std::string("PAM ") + what + " is not a number: '" + value + "'");
      }
      return std::stoull(value);
    };
    if (key == "ENDHDR") ended = true;
    else if (key == "WIDTH") header.width = number("WIDTH");
    else if (key == "HEIGHT") header.height = number("HEIGHT");
    else if (key == "DEPTH") header.channels = number("DEPTH");
    else if (key == "MAXVAL") header.maxval = number("MAXVAL");
    else if (key != "TUPLTYPE") corrupt("unknown PAM header line '" + key + "'");
  }
  if (!ended) corrupt("truncated PAM header (no ENDHDR line)");
  if (header.channels < 1 || header.channels > 4) {
    throw Error(ErrorCode::kUnsupported,
                "PNM: PAM DEPTH must be 1..4 (gray, gray+alpha, RGB, RGBA), got " +
                    std::to_string(header.channels));
  }
  header.raster = offset;
  return header;
}

template <typename Sample>
void scale_samples(Sample* samples, size_t count, uint64_t maxval, uint64_t full) {
  for (size_t i = 0; i < count; ++i) {
    if (samples[i] > maxval) corrupt("a sample is larger than maxval");
    samples[i] = static_cast<Sample>((samples[i] * full + maxval / 2) / maxval);
  }
}

}  // namespace

DecodedImage pnm_decode(const uint8_t* data, size_t size) {
  if (data == nullptr || size < 3 || data[0] != 'P') corrupt("not a Netpbm file (no 'P' magic)");
  const char kind = static_cast<char>(data[1]);
  if (kind >= '1' && kind <= '4') {
    throw Error(ErrorCode::kUnsupported,
                std::string("PNM: ASCII and bitmap Netpbm (P") + kind + ") are not supported");
  }
  if (kind != '5' && kind != '6' && kind != '7') corrupt("not a binary PGM, PPM or PAM file");
  const Header header = kind == '7' ? read_pam_header(data, size) : read_netpbm_header(data, size);
  if (header.width == 0 || header.height == 0) corrupt("the image is empty (width or height 0)");
  if (header.maxval == 0 || header.maxval > 65535) {
    corrupt("maxval must be 1..65535, got " + std::to_string(header.maxval));
  }
  check_image_pixels(header.width, header.height, "PNM image");

  DecodedImage image;
  image.width = header.width;
  image.height = header.height;
  image.channels = header.channels;
  image.type = header.maxval > 255 ? SampleType::kUint16 : SampleType::kUint8;
  const size_t bytes_per_sample = sample_size(image.type);
  const size_t count = image.width * image.height * image.channels;
  if (size - header.raster < count * bytes_per_sample) {
    corrupt("truncated pixel data (" + std::to_string(size - header.raster) + " of " +
            std::to_string(count * bytes_per_sample) + " bytes)");
  }
  image.pixels.assign(data + header.raster, data + header.raster + count * bytes_per_sample);
  if (image.type == SampleType::kUint16) {
    auto* samples = reinterpret_cast<uint16_t*>(image.pixels.data());
    const uint8_t* raw = data + header.raster;
    for (size_t i = 0; i < count; ++i) {
      samples[i] = static_cast<uint16_t>(raw[2 * i] << 8 | raw[2 * i + 1]);  // big-endian
    }
    if (header.maxval != 65535) scale_samples(samples, count, header.maxval, 65535);
  } else if (header.maxval != 255) {
    scale_samples(image.pixels.data(), count, header.maxval, 255);
  }
  return image;
}

}  // namespace attention_jxl

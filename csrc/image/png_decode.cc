#include "attention_jxl/png_decode.h"

#include <png.h>

#include <algorithm>
#include <csetjmp>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "attention_jxl/error.h"
#include "attention_jxl/limits.h"
#include "image/exif.h"

// libpng reports errors by calling an error function that must not return;
// it long-jumps back to a setjmp in the caller. The functions below that call
// setjmp own no C++ objects, so the jump never skips a destructor, and the
// error and read callbacks only touch plain memory. Everything that
// allocates or throws happens between those functions.

namespace attention_jxl {
namespace {

// The bytes being decoded and the first error libpng reported about them.
struct Input {
  const uint8_t* data = nullptr;
  size_t size = 0;
  size_t offset = 0;
  bool truncated = false;
  char message[256] = {};
  char exif_warning[128] = {};  // libpng drops an eXIf it finds invalid; we say so
};

void on_error(png_structp png, png_const_charp message) {
  auto* input = static_cast<Input*>(png_get_error_ptr(png));
  if (input->message[0] == '\0') {
    std::snprintf(input->message, sizeof(input->message), "%s",
                  message != nullptr ? message : "unknown error");
  }
  png_longjmp(png, 1);
}

// Warnings (e.g. a dropped ancillary chunk with a bad CRC) are not errors and
// must not reach stderr. One about eXIf is kept: the caller reports it.
void on_warning(png_structp png, png_const_charp message) {
  auto* input = static_cast<Input*>(png_get_error_ptr(png));
  if (message != nullptr && std::strstr(message, "eXIf") != nullptr &&
      input->exif_warning[0] == '\0') {
    std::snprintf(input->exif_warning, sizeof(input->exif_warning), "%s", message);
  }
}

void on_read(png_structp png, png_bytep out, size_t length) {
  auto* input = static_cast<Input*>(png_get_io_ptr(png));
  if (length > input->size - input->offset) {
    input->truncated = true;
    png_error(png, "unexpected end of data");
  }
  std::memcpy(out, input->data + input->offset, length);
  input->offset += length;
}

// Owns the libpng read and info structs.
class PngReader {
 public:
  explicit PngReader(Input* input) {
    png_ = png_create_read_struct(PNG_LIBPNG_VER_STRING, input, on_error, on_warning);
    if (png_ == nullptr) throw Error(ErrorCode::kInternal, "could not create a libpng reader");
    info_ = png_create_info_struct(png_);
    if (info_ == nullptr) {
      png_destroy_read_struct(&png_, nullptr, nullptr);
      throw Error(ErrorCode::kInternal, "could not create a libpng info struct");
    }
  }
  ~PngReader() { png_destroy_read_struct(&png_, &info_, nullptr); }
  PngReader(const PngReader&) = delete;
  PngReader& operator=(const PngReader&) = delete;

  png_structp png() const { return png_; }
  png_infop info() const { return info_; }

 private:
  png_structp png_ = nullptr;
  png_infop info_ = nullptr;
};

// Color chunks that are only reported: libpng keeps them as raw "unknown"
// chunks instead of interpreting them (and checking them against iCCP).
constexpr png_byte kReportedChunks[] = "sRGB\0gAMA\0cHRM\0cICP";
// Chunks nothing here uses; skipping them saves decompressing text.
constexpr png_byte kSkippedChunks[] =
    "tEXt\0zTXt\0iTXt\0tIME\0bKGD\0hIST\0pCAL\0sCAL\0sPLT\0pHYs\0oFFs";
constexpr int kChunkNameSize = 5;  // four letters and a NUL

bool host_is_little_endian() {
  const uint16_t one = 1;
  uint8_t first = 0;
  std::memcpy(&first, &one, 1);
  return first == 1;
}

struct Header {
  png_uint_32 width = 0;
  png_uint_32 height = 0;
  int bit_depth = 0;
  int color_type = 0;
};

struct Layout {
  size_t channels = 0;
  int bit_depth = 0;
  size_t row_bytes = 0;
};

// Reads the signature and every chunk up to the first IDAT.
bool read_header(png_structp png, png_infop info, Input* input, Header* header) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_read_fn(png, input, on_read);
  // The PNG maximum; the caller applies its own pixel limit.
  png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
  png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_ALWAYS, kReportedChunks,
                              sizeof(kReportedChunks) / kChunkNameSize);
  png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, kSkippedChunks,
                              sizeof(kSkippedChunks) / kChunkNameSize);
  png_read_info(png, info);
  int interlace = 0;
  png_get_IHDR(png, info, &header->width, &header->height, &header->bit_depth,
               &header->color_type, &interlace, nullptr, nullptr);
  return true;
}

// Sets up the expansion to 8 or 16 bits and 1..4 channels.
bool prepare_rows(png_structp png, png_infop info, const Header& header, Layout* layout) {
  if (setjmp(png_jmpbuf(png))) return false;
  if (header.color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (header.color_type == PNG_COLOR_TYPE_GRAY && header.bit_depth < 8) {
    png_set_expand_gray_1_2_4_to_8(png);
  }
  if (png_get_valid(png, info, PNG_INFO_tRNS) != 0) png_set_tRNS_to_alpha(png);
  if (header.bit_depth == 16 && host_is_little_endian()) png_set_swap(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  layout->channels = png_get_channels(png, info);
  layout->bit_depth = png_get_bit_depth(png, info);
  layout->row_bytes = png_get_rowbytes(png, info);
  return true;
}

// Reads the pixels and the chunks after them, up to IEND.
bool read_rows(png_structp png, png_infop info, png_bytepp rows) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_image(png, rows);
  png_read_end(png, info);
  return true;
}

[[noreturn]] void fail(const Input& input) {
  if (input.truncated) {
    throw Error(ErrorCode::kCorruptData,
                "truncated PNG data (" + std::to_string(input.size) + " bytes)");
  }
  throw Error(ErrorCode::kCorruptData, std::string("invalid PNG data: ") + input.message);
}

int significant_bits(png_structp png, png_infop info, int color_type) {
  png_color_8p bits = nullptr;
  if (png_get_sBIT(png, info, &bits) == 0 || bits == nullptr) return 0;
  if ((color_type & PNG_COLOR_MASK_COLOR) == 0) return bits->gray;
  return std::max({bits->red, bits->green, bits->blue});
}

void read_metadata(png_structp png, png_infop info, const Input& input, DecodedPng* result) {
  png_charp name = nullptr;
  int compression = 0;
  png_bytep profile = nullptr;
  png_uint_32 profile_size = 0;
  if (png_get_iCCP(png, info, &name, &compression, &profile, &profile_size) != 0 &&
      profile != nullptr) {
    result->icc.assign(profile, profile + profile_size);
  }
  png_uint_32 exif_size = 0;
  png_bytep exif = nullptr;
  if (png_get_eXIf_1(png, info, &exif_size, &exif) != 0 && exif != nullptr) {
    result->exif.assign(exif, exif + exif_size);
    const ExifOrientation orientation = read_exif_orientation(exif, exif_size);
    result->orientation = orientation.value;
    result->orientation_problem = orientation.problem;
  } else if (input.exif_warning[0] != '\0') {
    result->orientation_problem = std::string("the eXIf chunk is invalid (") +
                                  input.exif_warning + ")";
  }
  png_unknown_chunkp chunks = nullptr;
  const int count = png_get_unknown_chunks(png, info, &chunks);
  for (int i = 0; i < count; ++i) {
    const char* chunk = reinterpret_cast<const char*>(chunks[i].name);
    if (std::memcmp(chunk, "sRGB", 4) == 0) result->has_srgb = true;
    if (std::memcmp(chunk, "gAMA", 4) == 0) result->has_gama = true;
    if (std::memcmp(chunk, "cHRM", 4) == 0) result->has_chrm = true;
    if (std::memcmp(chunk, "cICP", 4) == 0) result->has_cicp = true;
  }
}

}  // namespace

DecodedPng png_decode(const uint8_t* data, size_t size) {
  constexpr size_t kSignatureSize = 8;
  if (data == nullptr || size == 0) {
    throw Error(ErrorCode::kCorruptData, "no PNG data to decode (0 bytes)");
  }
  if (png_sig_cmp(data, 0, std::min(size, kSignatureSize)) != 0) {
    throw Error(ErrorCode::kCorruptData, "data is not PNG (" + std::to_string(size) +
                                             " bytes without a PNG signature)");
  }
  if (size < kSignatureSize) {
    throw Error(ErrorCode::kCorruptData,
                "truncated PNG data (" + std::to_string(size) + " bytes, not even a signature)");
  }

  Input input;
  input.data = data;
  input.size = size;
  PngReader reader(&input);
  png_structp png = reader.png();
  png_infop info = reader.info();

  Header header;
  if (!read_header(png, info, &input, &header)) fail(input);
  check_image_pixels(header.width, header.height, "PNG image");
  const uint64_t pixels = uint64_t{header.width} * header.height;

  Layout layout;
  if (!prepare_rows(png, info, header, &layout)) fail(input);
  const size_t sample_bytes = layout.bit_depth == 16 ? 2 : 1;
  if ((layout.bit_depth != 8 && layout.bit_depth != 16) || layout.channels < 1 ||
      layout.channels > 4 || layout.row_bytes != header.width * layout.channels * sample_bytes) {
    throw Error(ErrorCode::kInternal,
                "unexpected libpng row layout (" + std::to_string(layout.channels) +
                    " channels, " + std::to_string(layout.bit_depth) + " bits)");
  }
  if (pixels > std::numeric_limits<size_t>::max() / (layout.channels * sample_bytes)) {
    throw Error(ErrorCode::kInvalidArgument, "PNG image too large for this machine");
  }

  DecodedPng result;
  result.image.width = header.width;
  result.image.height = header.height;
  result.image.channels = layout.channels;
  result.image.type = layout.bit_depth == 16 ? SampleType::kUint16 : SampleType::kUint8;
  result.image.pixels.resize(static_cast<size_t>(pixels) * layout.channels * sample_bytes);
  std::vector<png_bytep> rows(header.height);
  for (size_t y = 0; y < rows.size(); ++y) {
    rows[y] = result.image.pixels.data() + y * layout.row_bytes;
  }
  if (!read_rows(png, info, rows.data())) fail(input);

  result.bit_depth = header.bit_depth;
  result.significant_bits = significant_bits(png, info, header.color_type);
  read_metadata(png, info, input, &result);
  return result;
}

}  // namespace attention_jxl

#include "attention_jxl/png_encode.h"

#include <png.h>

#include <csetjmp>
#include <cstring>
#include <string>

#include "attention_jxl/error.h"

namespace attention_jxl {
namespace {

// libpng reports errors by long-jumping back to the setjmp in write_png(),
// which owns no C++ objects, so the jump skips no destructor (as in
// png_decode.cc).
struct Output {
  std::vector<uint8_t> bytes;
  char error[200] = {0};
};

void on_error(png_structp png, png_const_charp message) {
  auto* output = static_cast<Output*>(png_get_error_ptr(png));
  std::strncpy(output->error, message, sizeof(output->error) - 1);
  png_longjmp(png, 1);
}

void on_warning(png_structp, png_const_charp) {}

void on_write(png_structp png, png_bytep data, size_t length) {
  auto* output = static_cast<Output*>(png_get_io_ptr(png));
  output->bytes.insert(output->bytes.end(), data, data + length);
}

void on_flush(png_structp) {}

int color_type_for(size_t channels) {
  switch (channels) {
    case 1: return PNG_COLOR_TYPE_GRAY;
    case 2: return PNG_COLOR_TYPE_GRAY_ALPHA;
    case 3: return PNG_COLOR_TYPE_RGB;
    default: return PNG_COLOR_TYPE_RGB_ALPHA;
  }
}

bool little_endian() {
  const uint16_t probe = 1;
  uint8_t first = 0;
  std::memcpy(&first, &probe, 1);
  return first == 1;
}

bool write_png(png_structp png, png_infop info, const ImageView& image, const uint8_t* icc,
               size_t icc_size, Output* output) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_write_fn(png, output, on_write, on_flush);
  const bool wide = image.type == SampleType::kUint16;
  png_set_IHDR(png, info, static_cast<png_uint_32>(image.width),
               static_cast<png_uint_32>(image.height), wide ? 16 : 8,
               color_type_for(image.channels), PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  if (icc_size > 0) {
    png_set_iCCP(png, info, "icc", PNG_COMPRESSION_TYPE_BASE, icc,
                 static_cast<png_uint_32>(icc_size));
  }
  png_write_info(png, info);
  if (wide && little_endian()) png_set_swap(png);  // PNG samples are big endian
  for (size_t y = 0; y < image.height; ++y) {
    png_write_row(png, const_cast<png_bytep>(image.row(y)));
  }
  png_write_end(png, info);
  return true;
}

}  // namespace

std::vector<uint8_t> png_encode(const ImageView& image, const std::vector<uint8_t>& icc_profile) {
  validate_image(image);
  if (image.type == SampleType::kFloat32) {
    throw Error(ErrorCode::kInvalidArgument, "PNG stores 8- or 16-bit samples, not float32");
  }
  Output output;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &output, on_error, on_warning);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  const bool written = info != nullptr && write_png(png, info, image, icc_profile.data(),
                                                    icc_profile.size(), &output);
  png_destroy_write_struct(&png, &info);
  if (!written) {
    throw Error(ErrorCode::kInternal, std::string("libpng could not write the PNG: ") +
                                          (output.error[0] ? output.error : "out of memory"));
  }
  return std::move(output.bytes);
}

}  // namespace attention_jxl

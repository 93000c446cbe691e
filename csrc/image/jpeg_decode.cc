#include "image/jpeg_decode.h"

// jpeglib.h needs FILE and size_t declared first.
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <jerror.h>
#include <jpeglib.h>

#include "attention_jxl/error.h"
#include "attention_jxl/limits.h"

namespace attention_jxl {
namespace {

// libjpeg's error manager plus where to jump back to. libjpeg's default error
// handler calls exit(); ours longjmps out of libjpeg instead (throwing
// through libjpeg's C frames would not be safe).
struct ErrorManager {
  jpeg_error_mgr base;  // first, so libjpeg's pointer to it is one to us too
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void on_error(j_common_ptr cinfo) {
  auto* errors = reinterpret_cast<ErrorManager*>(cinfo->err);
  errors->base.format_message(cinfo, errors->message);
  std::longjmp(errors->jump, 1);
}

// Warnings are counted, not printed. Running out of data is fatal: libjpeg
// would pad the image with gray and the model would look at that.
void on_message(j_common_ptr cinfo, int level) {
  if (level >= 0) return;  // trace output
  cinfo->err->num_warnings++;
  if (cinfo->err->msg_code == JWRN_JPEG_EOF) on_error(cinfo);
}

void silent(j_common_ptr) {}

// Owns a libjpeg decompressor. Only the *_guarded functions below call
// libjpeg, and they hold no C++ objects that a longjmp could skip.
struct Decompressor {
  jpeg_decompress_struct cinfo;
  ErrorManager errors;

  Decompressor() {
    std::memset(&cinfo, 0, sizeof(cinfo));
    std::memset(&errors, 0, sizeof(errors));
    cinfo.err = jpeg_std_error(&errors.base);
    errors.base.error_exit = on_error;
    errors.base.emit_message = on_message;
    errors.base.output_message = silent;
  }
  ~Decompressor() { jpeg_destroy_decompress(&cinfo); }  // safe before create too
  Decompressor(const Decompressor&) = delete;
  Decompressor& operator=(const Decompressor&) = delete;
};

bool read_header_guarded(Decompressor& d, const uint8_t* data, size_t size) {
  if (setjmp(d.errors.jump)) return false;
  jpeg_create_decompress(&d.cinfo);
  jpeg_mem_src(&d.cinfo, data, static_cast<unsigned long>(size));
  jpeg_save_markers(&d.cinfo, JPEG_APP0 + 1, 0xFFFF);  // Exif lives in APP1
  jpeg_read_header(&d.cinfo, TRUE);
  return true;
}

// `out` holds output_height rows of row_bytes each.
bool read_pixels_guarded(Decompressor& d, uint8_t* out, size_t row_bytes) {
  if (setjmp(d.errors.jump)) return false;
  jpeg_start_decompress(&d.cinfo);
  while (d.cinfo.output_scanline < d.cinfo.output_height) {
    JSAMPROW row = out + static_cast<size_t>(d.cinfo.output_scanline) * row_bytes;
    jpeg_read_scanlines(&d.cinfo, &row, 1);
  }
  jpeg_finish_decompress(&d.cinfo);
  return true;
}

[[noreturn]] void fail(const Decompressor& d, const char* step) {
  const int code = d.errors.base.msg_code;
  const std::string reason = d.errors.message;
  if (code == JERR_SOF_UNSUPPORTED || code == JERR_BAD_PRECISION || code == JERR_NOT_COMPILED ||
      code == JERR_ARITH_NOTIMPL) {
    throw Error(ErrorCode::kUnsupported, "unsupported JPEG: " + reason);
  }
  if (code == JWRN_JPEG_EOF) {
    throw Error(ErrorCode::kCorruptData, "truncated JPEG: the data ends before the image does");
  }
  throw Error(ErrorCode::kCorruptData, std::string("invalid JPEG (") + step + "): " + reason);
}

JpegHeader header_of(const Decompressor& d) {
  const jpeg_decompress_struct& cinfo = d.cinfo;
  JpegHeader header;
  header.width = cinfo.image_width;
  header.height = cinfo.image_height;
  header.components = cinfo.num_components;
  header.bits_per_sample = cinfo.data_precision;
  header.arithmetic = cinfo.arith_code != FALSE;
  for (jpeg_saved_marker_ptr marker = cinfo.marker_list; marker != nullptr;
       marker = marker->next) {
    if (marker->marker != JPEG_APP0 + 1 || !is_exif_payload(marker->data, marker->data_length)) {
      continue;
    }
    // The first Exif block counts, as for Pillow and most viewers.
    header.has_exif = true;
    header.orientation = read_exif_orientation(marker->data, marker->data_length);
    break;
  }
  return header;
}

// Every block of a scan costs at least one bit (its DC Huffman code), so a
// JPEG of N bytes holds at most 8 * N blocks of 64 pixels per component:
// 512 pixels per byte (somewhat more with unusual sampling factors). Eight
// times that is allowed; more means a corrupt size field, which must not
// make us allocate gigabytes for pixels that are not there.
void check_plausible_size(const JpegHeader& header, size_t size) {
  const double pixels = static_cast<double>(header.width) * static_cast<double>(header.height);
  if (pixels > 4096.0 * static_cast<double>(size)) {
    throw Error(ErrorCode::kCorruptData,
                "corrupt JPEG: a " + std::to_string(header.width) + "x" +
                    std::to_string(header.height) + " image cannot fit in " +
                    std::to_string(size) + " bytes");
  }
}

JpegHeader read_checked_header(Decompressor& d, const uint8_t* data, size_t size) {
  if (!read_header_guarded(d, data, size)) fail(d, "header");
  JpegHeader header = header_of(d);
  check_image_pixels(header.width, header.height, "JPEG image");
  check_plausible_size(header, size);
  return header;
}

}  // namespace

JpegHeader read_jpeg_header(const uint8_t* data, size_t size) {
  Decompressor d;
  return read_checked_header(d, data, size);
}

DecodedJpeg decode_jpeg(const uint8_t* data, size_t size) {
  Decompressor d;
  DecodedJpeg decoded;
  decoded.header = read_checked_header(d, data, size);
  // libjpeg's defaults decode gray to gray and YCbCr or RGB to RGB; the
  // model takes nothing else (neither does libjxl's recompression).
  const J_COLOR_SPACE output = d.cinfo.out_color_space;
  if (output != JCS_GRAYSCALE && output != JCS_RGB) {
    throw Error(ErrorCode::kUnsupported,
                "unsupported JPEG: " + std::to_string(decoded.header.components) +
                    " components that are neither gray nor YCbCr/RGB (e.g. CMYK)");
  }
  DecodedImage& image = decoded.image;
  image.width = decoded.header.width;
  image.height = decoded.header.height;
  image.channels = output == JCS_GRAYSCALE ? 1 : 3;
  image.type = SampleType::kUint8;
  const size_t row_bytes = image.width * image.channels;
  image.pixels.resize(row_bytes * image.height);
  if (!read_pixels_guarded(d, image.pixels.data(), row_bytes)) fail(d, "image data");
  return decoded;
}

}  // namespace attention_jxl

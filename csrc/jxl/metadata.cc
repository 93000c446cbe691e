// Reads a JPEG XL file's color profile and Exif/XMP boxes with libjxl's box
// events; the frames are skipped by their tables of contents, not decoded.
#include "attention_jxl/metadata.h"

#include <jxl/decode.h>
#include <jxl/decode_cxx.h>
#include <jxl/version.h>

#include <cstring>
#include <string>

#include "attention_jxl/error.h"
#include "jxl/decoder_errors.h"

namespace attention_jxl {
namespace {

std::vector<uint8_t> data_icc_profile(JxlDecoder* decoder) {
  size_t size = 0;
  // libjxl 0.9 dropped the unused pixel format argument.
#if JPEGXL_NUMERIC_VERSION >= JPEGXL_COMPUTE_NUMERIC_VERSION(0, 9, 0)
  if (JxlDecoderGetICCProfileSize(decoder, JXL_COLOR_PROFILE_TARGET_DATA, &size) !=
      JXL_DEC_SUCCESS) {
    return {};
  }
  std::vector<uint8_t> icc(size);
  check_decoder(JxlDecoderGetColorAsICCProfile(decoder, JXL_COLOR_PROFILE_TARGET_DATA, icc.data(), size),
        "JxlDecoderGetColorAsICCProfile");
#else
  if (JxlDecoderGetICCProfileSize(decoder, nullptr, JXL_COLOR_PROFILE_TARGET_DATA, &size) !=
      JXL_DEC_SUCCESS) {
    return {};
  }
  std::vector<uint8_t> icc(size);
  check_decoder(JxlDecoderGetColorAsICCProfile(decoder, nullptr, JXL_COLOR_PROFILE_TARGET_DATA,
                                       icc.data(), size),
        "JxlDecoderGetColorAsICCProfile");
#endif
  return icc;
}

// The box being read into a growing buffer.
struct BoxReader {
  std::vector<uint8_t>* target = nullptr;
  size_t filled = 0;

  void start(JxlDecoder* decoder, std::vector<uint8_t>* into) {
    target = into;
    filled = 0;
    target->resize(4096);
    check_decoder(JxlDecoderSetBoxBuffer(decoder, target->data(), target->size()), "JxlDecoderSetBoxBuffer");
  }
  void grow(JxlDecoder* decoder) {
    filled = target->size() - JxlDecoderReleaseBoxBuffer(decoder);
    target->resize(target->size() * 2);
    check_decoder(JxlDecoderSetBoxBuffer(decoder, target->data() + filled, target->size() - filled),
          "JxlDecoderSetBoxBuffer");
  }
  void finish(JxlDecoder* decoder) {
    if (target == nullptr) return;
    target->resize(target->size() - JxlDecoderReleaseBoxBuffer(decoder));
    target = nullptr;
  }
};

// An Exif box holds the offset of the TIFF header, then the Exif data.
std::vector<uint8_t> tiff_of_exif_box(const std::vector<uint8_t>& box) {
  if (box.size() < 4) return {};
  const uint32_t offset = (uint32_t{box[0]} << 24) | (uint32_t{box[1]} << 16) |
                          (uint32_t{box[2]} << 8) | box[3];
  if (offset > box.size() - 4) return {};
  return std::vector<uint8_t>(box.begin() + 4 + offset, box.end());
}

}  // namespace

std::vector<uint8_t> exif_tiff(const std::vector<uint8_t>& exif) {
  static const uint8_t kMarker[6] = {'E', 'x', 'i', 'f', 0, 0};
  size_t start = 0;
  if (exif.size() >= 6 && std::memcmp(exif.data(), kMarker, 6) == 0) start = 6;
  const bool little = exif.size() >= start + 4 && exif[start] == 'I' && exif[start + 1] == 'I' &&
                      exif[start + 2] == 42 && exif[start + 3] == 0;
  const bool big = exif.size() >= start + 4 && exif[start] == 'M' && exif[start + 1] == 'M' &&
                   exif[start + 2] == 0 && exif[start + 3] == 42;
  if (!little && !big) {
    throw Error(ErrorCode::kInvalidArgument,
                "exif must be Exif data: a TIFF structure starting with II*\\0 or MM\\0* "
                "(optionally after \"Exif\\0\\0\"), got " + std::to_string(exif.size()) +
                    " bytes without one");
  }
  return std::vector<uint8_t>(exif.begin() + static_cast<std::ptrdiff_t>(start), exif.end());
}

FileMetadata read_metadata(const uint8_t* data, size_t size) {
  if (data == nullptr || size == 0) corrupt_data("no JPEG XL data (0 bytes)");
  const JxlSignature signature = JxlSignatureCheck(data, size);
  if (signature != JXL_SIG_CODESTREAM && signature != JXL_SIG_CONTAINER) {
    corrupt_data("data is not JPEG XL (" + std::to_string(size) + " bytes without a JPEG XL signature)");
  }
  JxlDecoderPtr owner = JxlDecoderMake(nullptr);
  JxlDecoder* decoder = owner.get();
  if (decoder == nullptr) throw Error(ErrorCode::kInternal, "could not create a libjxl decoder");
  check_decoder(JxlDecoderSubscribeEvents(decoder, JXL_DEC_BASIC_INFO | JXL_DEC_COLOR_ENCODING | JXL_DEC_BOX),
        "JxlDecoderSubscribeEvents");
  // Fails only for a libjxl built without Brotli; plain boxes are still read.
  JxlDecoderSetDecompressBoxes(decoder, JXL_TRUE);
  check_decoder(JxlDecoderSetInput(decoder, data, size), "JxlDecoderSetInput");
  JxlDecoderCloseInput(decoder);

  FileMetadata result;
  std::vector<uint8_t> exif_box;
  BoxReader box;
  for (;;) {
    switch (JxlDecoderProcessInput(decoder)) {
      case JXL_DEC_ERROR:
        corrupt_data("invalid JPEG XL data (" + std::to_string(size) + " bytes)");
      case JXL_DEC_NEED_MORE_INPUT:
        corrupt_data("truncated JPEG XL data (" + std::to_string(size) + " bytes)");
      case JXL_DEC_BASIC_INFO:
        checked_basic_info(decoder);
        break;
      case JXL_DEC_COLOR_ENCODING:
        result.icc = data_icc_profile(decoder);
        break;
      case JXL_DEC_BOX: {
        box.finish(decoder);
        JxlBoxType type;
        check_decoder(JxlDecoderGetBoxType(decoder, type, JXL_TRUE), "JxlDecoderGetBoxType");
        if (std::memcmp(type, "Exif", 4) == 0 && exif_box.empty()) box.start(decoder, &exif_box);
        if (std::memcmp(type, "xml ", 4) == 0 && result.xmp.empty()) box.start(decoder, &result.xmp);
        break;
      }
      case JXL_DEC_BOX_NEED_MORE_OUTPUT:
        box.grow(decoder);
        break;
      case JXL_DEC_SUCCESS:
        box.finish(decoder);
        result.exif = tiff_of_exif_box(exif_box);
        return result;
      default:
        break;
    }
  }
}

}  // namespace attention_jxl

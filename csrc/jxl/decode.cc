#include "attention_jxl/decode.h"

#include <jxl/decode.h>
#include <jxl/decode_cxx.h>

#include <limits>
#include <string>

#include "attention_jxl/error.h"
#include "jxl/decoder_errors.h"
#include "jxl/runner.h"

namespace attention_jxl {
namespace {

SampleType sample_type_for(const JxlBasicInfo& info) {
  if (info.exponent_bits_per_sample > 0) return SampleType::kFloat32;
  return info.bits_per_sample <= 8 ? SampleType::kUint8 : SampleType::kUint16;
}

bool has_alpha(const JxlBasicInfo& info) { return info.alpha_bits > 0; }

}  // namespace

DecodedImage decode(const uint8_t* data, size_t size, int threads, bool partial,
                    const ThreadPool* pool) {
  if (data == nullptr || size == 0) corrupt_data("no JPEG XL data to decode (0 bytes)");
  const JxlSignature signature = JxlSignatureCheck(data, size);
  if (signature == JXL_SIG_NOT_ENOUGH_BYTES) {
    corrupt_data("truncated JPEG XL data (" + std::to_string(size) + " bytes, not even a signature)");
  }
  if (signature != JXL_SIG_CODESTREAM && signature != JXL_SIG_CONTAINER) {
    corrupt_data("data is not JPEG XL (" + std::to_string(size) + " bytes without a JPEG XL signature)");
  }

  JxlDecoderPtr owner = JxlDecoderMake(nullptr);
  JxlDecoder* decoder = owner.get();
  if (decoder == nullptr) throw Error(ErrorCode::kInternal, "could not create a libjxl decoder");
  JxlRunner runner(threads, pool);
  if (runner.opaque() != nullptr) {
    check_decoder(JxlDecoderSetParallelRunner(decoder, JxlThreadParallelRunner, runner.opaque()),
          "JxlDecoderSetParallelRunner");
  }
  check_decoder(JxlDecoderSubscribeEvents(decoder, JXL_DEC_BASIC_INFO | JXL_DEC_FULL_IMAGE),
        "JxlDecoderSubscribeEvents");
  if (partial) {
    // Render every pass and group that has arrived, not only the DC image.
    check_decoder(JxlDecoderSetProgressiveDetail(decoder, kPasses), "JxlDecoderSetProgressiveDetail");
  }
  // The input is not closed: a decoder asking for more input then means
  // the data is truncated (closing it would turn that into a generic error),
  // or, for a partial decode, that it is time to flush what has arrived.
  check_decoder(JxlDecoderSetInput(decoder, data, size), "JxlDecoderSetInput");

  DecodedImage image;
  JxlPixelFormat format = {};
  bool have_info = false;
  bool have_buffer = false;
  for (;;) {
    const JxlDecoderStatus status = JxlDecoderProcessInput(decoder);
    switch (status) {
      case JXL_DEC_ERROR:
        corrupt_data("invalid JPEG XL data (" + std::to_string(size) + " bytes)");
      case JXL_DEC_NEED_MORE_INPUT:
        if (!partial) corrupt_data("truncated JPEG XL data (" + std::to_string(size) + " bytes)");
        if (have_buffer && JxlDecoderFlushImage(decoder) == JXL_DEC_SUCCESS) return image;
        if (!have_info) {
          const size_t hint = JxlDecoderSizeHintBasicInfo(decoder);
          corrupt_data("too little JPEG XL data for a first image: " + std::to_string(size) +
                  " bytes do not even hold the image header (about " +
                  std::to_string(size + hint) + " bytes needed for it)");
        }
        corrupt_data("too little JPEG XL data for a first image: " + std::to_string(size) +
                " bytes of a " + std::to_string(image.width) + "x" +
                std::to_string(image.height) +
                " image; the frame header, table of contents and the whole DC "
                "(1:8 preview) must have arrived first");
      case JXL_DEC_BASIC_INFO: {
        const JxlBasicInfo info = checked_basic_info(decoder);
        image.width = info.xsize;
        image.height = info.ysize;
        image.channels = info.num_color_channels + (has_alpha(info) ? 1 : 0);
        image.type = sample_type_for(info);
        format = {static_cast<uint32_t>(image.channels), data_type(image.type),
                  JXL_NATIVE_ENDIAN, 0};
        have_info = true;
        break;
      }
      case JXL_DEC_NEED_IMAGE_OUT_BUFFER: {
        size_t buffer_size = 0;
        check_decoder(JxlDecoderImageOutBufferSize(decoder, &format, &buffer_size),
              "JxlDecoderImageOutBufferSize");
        image.pixels.resize(buffer_size);
        check_decoder(JxlDecoderSetImageOutBuffer(decoder, &format, image.pixels.data(), buffer_size),
              "JxlDecoderSetImageOutBuffer");
        have_buffer = true;
        break;
      }
      case JXL_DEC_FULL_IMAGE:
        // The first frame is the image; later frames of an animation are ignored.
        return image;
      case JXL_DEC_SUCCESS:
        corrupt_data("JPEG XL data holds no image");
      default:
        break;
    }
  }
}

}  // namespace attention_jxl

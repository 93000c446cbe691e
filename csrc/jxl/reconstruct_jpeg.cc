// JPEG reconstruction with libjxl's decoder: its JPEG output buffer is grown
// until the whole file fits.
#include "attention_jxl/reconstruct_jpeg.h"

#include <jxl/decode.h>
#include <jxl/decode_cxx.h>

#include <string>

#include "attention_jxl/error.h"
#include "jxl/codestream/container.h"
#include "jxl/decoder_errors.h"
#include "jxl/runner.h"

namespace attention_jxl {
namespace {

// Says so before decoding anything: libjxl would decode the pixels first.
void require_reconstruction_box(const uint8_t* data, size_t size) {
  const codestream::Container container =
      codestream::read_container(data, size, /*allow_cut=*/false);
  for (const codestream::ContainerBox& box : container.boxes) {
    if (box.type == "jbrd") return;
  }
  throw Error(ErrorCode::kInvalidArgument,
              "the JPEG XL file has no JPEG reconstruction data (no jbrd box): it was not "
              "transcoded losslessly from a JPEG, so there is no original JPEG to rebuild");
}

}  // namespace

std::vector<uint8_t> reconstruct_jpeg(const uint8_t* data, size_t size, int threads) {
  if (data == nullptr || size == 0) corrupt_data("no JPEG XL data (0 bytes)");
  require_reconstruction_box(data, size);

  JxlDecoderPtr owner = JxlDecoderMake(nullptr);
  JxlDecoder* decoder = owner.get();
  if (decoder == nullptr) throw Error(ErrorCode::kInternal, "could not create a libjxl decoder");
  JxlRunner runner(threads);
  if (runner.opaque() != nullptr) {
    check_decoder(JxlDecoderSetParallelRunner(decoder, JxlThreadParallelRunner, runner.opaque()),
          "JxlDecoderSetParallelRunner");
  }
  check_decoder(JxlDecoderSubscribeEvents(
            decoder, JXL_DEC_BASIC_INFO | JXL_DEC_JPEG_RECONSTRUCTION | JXL_DEC_FULL_IMAGE),
        "JxlDecoderSubscribeEvents");
  check_decoder(JxlDecoderSetInput(decoder, data, size), "JxlDecoderSetInput");
  JxlDecoderCloseInput(decoder);

  std::vector<uint8_t> jpeg;
  size_t written = 0;  // bytes of `jpeg` handed back as filled
  bool reconstructing = false;
  for (;;) {
    switch (JxlDecoderProcessInput(decoder)) {
      case JXL_DEC_ERROR:
        corrupt_data("invalid or truncated JPEG XL data (" + std::to_string(size) +
                " bytes): libjxl could not rebuild the JPEG");
      case JXL_DEC_NEED_MORE_INPUT:
        corrupt_data("truncated JPEG XL data (" + std::to_string(size) + " bytes)");
      case JXL_DEC_BASIC_INFO:
        checked_basic_info(decoder);
        break;
      case JXL_DEC_JPEG_RECONSTRUCTION:
        reconstructing = true;
        jpeg.resize(size * 2 + 65536);  // a recompressed JPEG is about 20% smaller
        check_decoder(JxlDecoderSetJPEGBuffer(decoder, jpeg.data(), jpeg.size()),
              "JxlDecoderSetJPEGBuffer");
        break;
      case JXL_DEC_JPEG_NEED_MORE_OUTPUT: {
        written = jpeg.size() - JxlDecoderReleaseJPEGBuffer(decoder);
        jpeg.resize(jpeg.size() * 2);
        check_decoder(JxlDecoderSetJPEGBuffer(decoder, jpeg.data() + written, jpeg.size() - written),
              "JxlDecoderSetJPEGBuffer");
        break;
      }
      case JXL_DEC_NEED_IMAGE_OUT_BUFFER:
        // The codestream holds pixels, not JPEG coefficients the box describes.
        throw Error(ErrorCode::kInvalidArgument,
                    "the JPEG XL file's reconstruction data does not match its image: "
                    "no JPEG can be rebuilt");
      case JXL_DEC_FULL_IMAGE: {
        if (!reconstructing) {
          throw Error(ErrorCode::kInvalidArgument,
                      "the JPEG XL file has no usable JPEG reconstruction data");
        }
        const size_t unused = JxlDecoderReleaseJPEGBuffer(decoder);
        jpeg.resize(jpeg.size() - unused);
        return jpeg;
      }
      case JXL_DEC_SUCCESS:
        corrupt_data("JPEG XL data holds no image");
      default:
        break;
    }
  }
}

}  // namespace attention_jxl

// How the core reports what libjxl's decoder refuses (internal): bad bytes
// are the caller's kCorruptData, a failed set-up step is kInternal, an
// image over the pixel limit kTooLarge.
#pragma once

#include <jxl/decode.h>

#include <string>

#include "attention_jxl/error.h"
#include "attention_jxl/limits.h"

namespace attention_jxl {

[[noreturn]] inline void corrupt_data(const std::string& message) {
  throw Error(ErrorCode::kCorruptData, message);
}

inline void check_decoder(JxlDecoderStatus status, const char* step) {
  if (status != JXL_DEC_SUCCESS) {
    throw Error(ErrorCode::kInternal, std::string("libjxl decoder failed at ") + step);
  }
}

// The image's basic info, refused when over the pixel limit: checked at the
// first event, before libjxl allocates anything for the frames.
inline JxlBasicInfo checked_basic_info(JxlDecoder* decoder) {
  JxlBasicInfo info;
  check_decoder(JxlDecoderGetBasicInfo(decoder, &info), "JxlDecoderGetBasicInfo");
  check_image_pixels(info.xsize, info.ysize, "JPEG XL image");
  return info;
}

}  // namespace attention_jxl

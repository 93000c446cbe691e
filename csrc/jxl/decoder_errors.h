// How the core reports what libjxl's decoder refuses (internal): bad bytes
// are the caller's kCorruptData, a failed set-up step is kInternal.
#pragma once

#include <jxl/decode.h>

#include <string>

#include "attention_jxl/error.h"

namespace attention_jxl {

[[noreturn]] inline void corrupt_data(const std::string& message) {
  throw Error(ErrorCode::kCorruptData, message);
}

inline void check_decoder(JxlDecoderStatus status, const char* step) {
  if (status != JXL_DEC_SUCCESS) {
    throw Error(ErrorCode::kInternal, std::string("libjxl decoder failed at ") + step);
  }
}

}  // namespace attention_jxl

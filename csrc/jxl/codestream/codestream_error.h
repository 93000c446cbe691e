// Errors of the codestream reader: everything out of range in a file is
// Error(kCorruptData), named (internal).
#pragma once

#include <string>

#include "attention_jxl/error.h"

namespace attention_jxl::codestream {

[[noreturn]] inline void corrupt(const std::string& message) {
  throw Error(ErrorCode::kCorruptData, "invalid JPEG XL data: " + message);
}

inline void require(bool condition, const char* message) {
  if (!condition) corrupt(message);
}

}  // namespace attention_jxl::codestream

// Errors raised by the attention_jxl core. Every failure carries a code so
// callers (and the Python binding) can map it to the right exception type.
#pragma once

#include <stdexcept>
#include <string>

#include "attention_jxl/export.h"

namespace attention_jxl {

enum class ErrorCode {
  kInvalidArgument,  // bad shape, dtype, setting or value from the caller
  kNotFound,         // a file that does not exist
  kUnsupported,      // valid input the libraries cannot handle (e.g. a model we cannot run)
  kCorruptData,      // bytes that are not what they claim to be
  kTooLarge,         // an image over the pixel limit (limits.h)
  kInternal,         // a library failed where it should not
};

class ATTENTION_JXL_EXPORT Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace attention_jxl

// Ownership and error handling for LiteRT's C handles and statuses.
#pragma once

#include <string>
#include <utility>

#include "attention_jxl/error.h"
#include "litert/litert_c_api.h"

namespace attention_jxl {
namespace internal {

// Owns one LiteRT handle and releases it with the matching destroy function.
template <typename HandleType, void (*Destroy)(HandleType)>
class LiteRtHandle {
 public:
  LiteRtHandle() = default;
  ~LiteRtHandle() { Reset(); }
  LiteRtHandle(LiteRtHandle&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  LiteRtHandle& operator=(LiteRtHandle&& other) noexcept {
    if (this != &other) {
      Reset();
      handle_ = std::exchange(other.handle_, nullptr);
    }
    return *this;
  }
  LiteRtHandle(const LiteRtHandle&) = delete;
  LiteRtHandle& operator=(const LiteRtHandle&) = delete;

  HandleType get() const { return handle_; }
  // For LiteRT's out-parameters; drops whatever was held before.
  HandleType* out() {
    Reset();
    return &handle_;
  }
  // Gives up ownership (after LiteRT took it over).
  HandleType release() { return std::exchange(handle_, nullptr); }

 private:
  void Reset() {
    if (handle_ != nullptr) Destroy(handle_);
    handle_ = nullptr;
  }

  HandleType handle_ = nullptr;
};

using EnvironmentHandle = LiteRtHandle<LiteRtEnvironment, LiteRtDestroyEnvironment>;
using ModelHandle = LiteRtHandle<LiteRtModel, LiteRtDestroyModel>;
using OptionsHandle = LiteRtHandle<LiteRtOptions, LiteRtDestroyOptions>;
using OpaqueOptionsHandle = LiteRtHandle<LiteRtOpaqueOptions, LiteRtDestroyOpaqueOptions>;
using CompiledModelHandle = LiteRtHandle<LiteRtCompiledModel, LiteRtDestroyCompiledModel>;
using TensorBufferHandle = LiteRtHandle<LiteRtTensorBuffer, LiteRtDestroyTensorBuffer>;

// An environment that logs errors only: LiteRT and the TFLite runtime under it
// otherwise print INFO lines (such as "Created TensorFlow Lite XNNPACK
// delegate for CPU.") to stderr; the threshold is process-wide.
EnvironmentHandle CreateQuietEnvironment();

// The name of a LiteRT status (the library no longer exports its own lookup).
std::string StatusName(LiteRtStatus status);

// Turns a failed LiteRT call into an Error carrying LiteRT's status.
inline void CheckLiteRt(LiteRtStatus status, ErrorCode code, const std::string& what) {
  if (status != kLiteRtStatusOk) throw Error(code, what + " (" + StatusName(status) + ")");
}

}  // namespace internal
}  // namespace attention_jxl

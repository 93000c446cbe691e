// Heap memory aligned as LiteRT wants host buffers (and flatbuffers want
// their scalars) to be.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>

#include "litert/litert_c_api.h"

namespace attention_jxl {
namespace internal {

class AlignedBuffer {
 public:
  static constexpr std::align_val_t kAlignment{kLiteRtHostMemoryBufferAlignment};

  AlignedBuffer() = default;
  explicit AlignedBuffer(size_t size) : size_(size) {
    // Round up so the allocation is never zero-sized.
    const size_t rounded = (size + kLiteRtHostMemoryBufferAlignment) &
                           ~static_cast<size_t>(kLiteRtHostMemoryBufferAlignment - 1);
    data_ = static_cast<uint8_t*>(::operator new(rounded, kAlignment));
  }
  ~AlignedBuffer() { Free(); }
  AlignedBuffer(AlignedBuffer&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  AlignedBuffer& operator=(AlignedBuffer&& other) noexcept {
    if (this != &other) {
      Free();
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;

  uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  void Free() {
    if (data_ != nullptr) ::operator delete(data_, kAlignment);
    data_ = nullptr;
  }

  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace internal
}  // namespace attention_jxl

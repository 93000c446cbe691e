// Reading a model file whole into LiteRT-aligned memory.
#pragma once

#include <string>

#include "model/aligned_buffer.h"

namespace attention_jxl {
namespace internal {

// Flatbuffers (and so TFLite models) are limited to 2 GiB.
constexpr uint64_t kMaxModelBytes = 0x7fffffff;

// Throws Error(kNotFound) for a missing file and Error(kInvalidArgument) for
// a path that is not a readable regular file or changed while being read.
AlignedBuffer ReadModelFile(const std::string& path);

}  // namespace internal
}  // namespace attention_jxl

// One compiled copy of a model with its own input and output buffers. LiteRT
// compiled models must not run on two threads at once, so the Model keeps a
// pool of these.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/aligned_buffer.h"
#include "model/litert_handle.h"

namespace attention_jxl {
namespace internal {

class CompiledCopy {
 public:
  // Compiles `model` for the CPU with `threads` XNNPACK threads and wraps
  // buffers for its one float32 input and `num_outputs` float32 outputs, sized
  // as the compiled graph asks. Throws Error(kInternal) naming the step that
  // failed. `environment` and `model` must outlive the copy.
  CompiledCopy(LiteRtEnvironment environment, LiteRtModel model, int threads,
               size_t num_outputs);

  size_t input_bytes() const { return input_memory_.size(); }
  size_t output_bytes(size_t index) const { return outputs_[index].memory.size(); }
  // The dimensions of output `index` as the compiled graph lays it out.
  const std::vector<int64_t>& output_shape(size_t index) const { return outputs_[index].shape; }

  // Copies `input_bytes()` into the input buffer, or zeros when `pixels` is null.
  void WriteInput(const float* pixels);
  // Runs the graph on the current input; returns LiteRT's status.
  LiteRtStatus Run();
  // Copies `output_bytes(index)` of output `index` to `out`.
  void ReadOutput(size_t index, float* out);

 private:
  struct Output {
    AlignedBuffer memory;
    TensorBufferHandle buffer;
    std::vector<int64_t> shape;
  };

  // Declared so destruction releases the compiled model before the buffers
  // it may still refer to, and the buffers before their memory.
  AlignedBuffer input_memory_;
  std::vector<Output> outputs_;
  TensorBufferHandle input_;
  CompiledModelHandle compiled_;
};

}  // namespace internal
}  // namespace attention_jxl

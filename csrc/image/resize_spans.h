// The filter of TF's ScaleAndTranslate along one axis: for each output sample,
// the run of input samples it reads and their weights.
#pragma once

#include <cstddef>
#include <vector>

namespace attention_jxl {

struct AxisSpans {
  std::vector<size_t> start;   // first input sample of each output sample
  std::vector<size_t> length;  // 0 when TF leaves the output sample empty
  std::vector<float> weights;  // `stride` floats per output sample
  size_t stride = 0;

  size_t size() const { return start.size(); }
  size_t end(size_t o) const { return start[o] + length[o]; }
  const float* weights_of(size_t o) const { return &weights[o * stride]; }
};

// Keys cubic (a = -0.5) widened by the downscale factor, computed float op for
// float op as TF does, so that span bounds and weights are bit-identical.
// `weight_scale` multiplies the normalized weights (the sample scaling).
AxisSpans compute_spans(size_t input_size, size_t output_size,
                        float weight_scale);

}  // namespace attention_jxl

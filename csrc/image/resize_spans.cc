#include "image/resize_spans.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace attention_jxl {
namespace {

// Keys cubic convolution (a = -0.5), TF's "keyscubic" kernel; radius 2.
constexpr float kKernelRadius = 2.0f;
float keys_cubic(float x) {
  x = std::abs(x);
  if (x >= 2.0f) return 0.0f;
  if (x >= 1.0f) return ((-0.5f * x + 2.5f) * x - 4.0f) * x + 2.0f;
  return ((1.5f * x - 2.5f) * x) * x + 1.0f;
}

}  // namespace

AxisSpans compute_spans(size_t input_size, size_t output_size,
                        float weight_scale) {
  const float scale =
      static_cast<float>(output_size) / static_cast<float>(input_size);
  const float inv_scale = static_cast<float>(1.0 / scale);  // double, like TF
  // Downscaling widens the kernel to low-pass filter; upscaling does not.
  const float kernel_scale = std::max(inv_scale, 1.0f);
  const float support = kKernelRadius * kernel_scale;
  const float inv_kernel_scale = 1.0f / kernel_scale;

  AxisSpans spans;
  spans.stride = std::min(static_cast<size_t>(2 * std::ceil(support) + 1),
                          input_size);
  spans.start.assign(output_size, input_size);
  spans.length.assign(output_size, 0);
  spans.weights.assign(output_size * spans.stride, 0.0f);
  const auto last = static_cast<int64_t>(input_size) - 1;
  for (size_t o = 0; o < output_size; ++o) {
    const float center = (static_cast<float>(o) + 0.5f) * inv_scale;
    // TF leaves samples outside the source empty (only possible at the end).
    if (center < 0 || center > static_cast<float>(input_size)) continue;
    const auto first =
        std::clamp(static_cast<int64_t>(std::ceil(center - support - 0.5f)),
                   int64_t{0}, last);
    const auto past_last =
        std::clamp(static_cast<int64_t>(std::floor(center + support - 0.5f)),
                   int64_t{0}, last) + 1;
    float* weights = &spans.weights[o * spans.stride];
    float sum = 0.0f;
    for (int64_t i = first; i < past_last; ++i) {
      const float distance = static_cast<float>(i) + 0.5f - center;
      weights[i - first] = keys_cubic(distance * inv_kernel_scale);
      sum += weights[i - first];
    }
    spans.start[o] = static_cast<size_t>(first);
    spans.length[o] = static_cast<size_t>(past_last - first);
    // TF keeps all-zero weights when the sum is (near) zero.
    const bool normalizable =
        std::abs(sum) >= 1000.0f * std::numeric_limits<float>::min();
    const float inv_sum = normalizable ? 1.0f / sum : 0.0f;
    for (size_t i = 0; i < spans.length[o]; ++i) {
      weights[i] = weights[i] * inv_sum * weight_scale;
    }
  }
  return spans;
}

}  // namespace attention_jxl

#include "attention_jxl/resample.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

#include "attention_jxl/error.h"
#include "attention_jxl/limits.h"

namespace attention_jxl {
namespace {

// For each output sample of one axis: the input samples it reads and their
// normalized weights.
struct Taps {
  std::vector<size_t> start;
  std::vector<size_t> count;
  std::vector<float> weights;  // `stride` per output sample
  size_t stride = 0;
};

Taps triangle_taps(size_t input_size, size_t output_size) {
  const double scale = static_cast<double>(input_size) / static_cast<double>(output_size);
  const double support = std::max(1.0, scale);  // the triangle's half width in input samples
  Taps taps;
  taps.stride = static_cast<size_t>(std::ceil(2 * support)) + 2;
  taps.start.resize(output_size);
  taps.count.resize(output_size);
  taps.weights.assign(output_size * taps.stride, 0.0f);
  for (size_t o = 0; o < output_size; ++o) {
    const double middle = (static_cast<double>(o) + 0.5) * scale;  // in input coordinates
    const double first = std::max(0.0, std::floor(middle - support));
    const double last = std::min(static_cast<double>(input_size),
                                 std::ceil(middle + support));
    const size_t begin = static_cast<size_t>(first);
    const size_t count = std::min(taps.stride, static_cast<size_t>(last - first));
    std::vector<double> w(count);
    double total = 0;
    for (size_t k = 0; k < count; ++k) {
      const double distance = std::abs(static_cast<double>(begin + k) + 0.5 - middle) / support;
      w[k] = std::max(0.0, 1.0 - distance);
      total += w[k];
    }
    if (total <= 0) {  // cannot happen with support >= 1, but never divide by zero
      w[0] = total = 1;
    }
    taps.start[o] = begin;
    taps.count[o] = count;
    for (size_t k = 0; k < count; ++k) {
      taps.weights[o * taps.stride + k] = static_cast<float>(w[k] / total);
    }
  }
  return taps;
}

template <typename T>
T to_sample(float value) {
  if constexpr (std::is_same_v<T, float>) {
    return value;
  } else {
    const float top = static_cast<float>(std::numeric_limits<T>::max());
    return static_cast<T>(std::clamp(std::nearbyint(value), 0.0f, top));
  }
}

template <typename T>
void resample_typed(const ImageView& image, const Taps& columns, const Taps& rows,
                    DecodedImage& out) {
  const size_t channels = image.channels;
  const size_t out_row = out.width * channels;
  // Horizontal pass first: one float row per input row at the output width.
  std::vector<float> narrow(image.height * out_row);
  for (size_t y = 0; y < image.height; ++y) {
    const uint8_t* bytes = image.row(y);
    float* to = &narrow[y * out_row];
    for (size_t o = 0; o < out.width; ++o) {
      const float* w = &columns.weights[o * columns.stride];
      for (size_t c = 0; c < channels; ++c) {
        float sum = 0;
        for (size_t k = 0; k < columns.count[o]; ++k) {
          T sample;
          std::memcpy(&sample, bytes + ((columns.start[o] + k) * channels + c) * sizeof(T),
                      sizeof(T));
          sum += w[k] * static_cast<float>(sample);
        }
        to[o * channels + c] = sum;
      }
    }
  }
  T* result = reinterpret_cast<T*>(out.pixels.data());
  std::vector<float> sums(out_row);
  for (size_t o = 0; o < out.height; ++o) {
    std::fill(sums.begin(), sums.end(), 0.0f);
    const float* w = &rows.weights[o * rows.stride];
    for (size_t k = 0; k < rows.count[o]; ++k) {
      const float* from = &narrow[(rows.start[o] + k) * out_row];
      for (size_t i = 0; i < out_row; ++i) sums[i] += w[k] * from[i];
    }
    for (size_t i = 0; i < out_row; ++i) result[o * out_row + i] = to_sample<T>(sums[i]);
  }
}

}  // namespace

DecodedImage resample(const ImageView& image, size_t width, size_t height) {
  validate_image(image);
  if (width == 0 || height == 0) {
    throw Error(ErrorCode::kInvalidArgument, "target size must be positive");
  }
  check_image_pixels(width, height, "resampled image");
  DecodedImage out;
  out.width = width;
  out.height = height;
  out.channels = image.channels;
  out.type = image.type;
  out.pixels.resize(width * height * image.channels * sample_size(image.type));
  const Taps columns = triangle_taps(image.width, width);
  const Taps rows = triangle_taps(image.height, height);
  switch (image.type) {
    case SampleType::kUint8: resample_typed<uint8_t>(image, columns, rows, out); break;
    case SampleType::kUint16: resample_typed<uint16_t>(image, columns, rows, out); break;
    case SampleType::kFloat32: resample_typed<float>(image, columns, rows, out); break;
  }
  return out;
}

}  // namespace attention_jxl

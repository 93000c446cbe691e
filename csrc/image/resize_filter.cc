// The two passes of TF's ScaleAndTranslate in SIMD, one copy per instruction
// set (Highway's foreach_target re-includes this file), picked at run time.
//
// Vertical pass: the input is streamed once, in groups of kGroup rows; each
// group is converted to float a chunk at a time and added into every output
// row whose span covers it (four output rows per load of the group), so only
// a few accumulator rows are alive at a time. Lanes run across the samples of
// a row, so each lane adds its input rows in TF's order (first row of the
// span to last).
// Horizontal pass: finished rows are filtered along x four at a time, one
// pixel per 4-lane vector (R, G, B and an ignored lane); the rows share each
// column's weights. Taps are added in TF's order.
// 24 MP of 8-bit RGB is 72 MB to read, about half the time at this machine's
// memory bandwidth, so the input is also prefetched (see InputPrefetcher).
//
// Float input therefore gives TF's result bit for bit (this file is compiled
// with -ffp-contract=off so that no multiply and add are fused behind our
// back). Integer input already differs from TF by the folded-in 1/255 scale,
// so it uses fused multiply-adds where the CPU has them: fewer instructions,
// and one rounding instead of two.
#include "image/resize_filter.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "attention_jxl/resize.h"  // resize_simd_target

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "image/resize_filter.cc"
#include <hwy/foreach_target.h>  // must come before highway.h
#include <hwy/aligned_allocator.h>
#include <hwy/cache_control.h>
#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace attention_jxl {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using DF = hn::ScalableTag<float>;
using VF = hn::Vec<DF>;

constexpr size_t kGroup = 4;      // input rows converted and added together
constexpr size_t kChunk = 1024;   // floats of a row converted at once (L1)
// Bytes ahead of the conversion to request: about one chunk of 8-bit samples,
// which is the time one chunk's multiply-adds take.
constexpr size_t kPrefetchAhead = 1024;

inline size_t RoundUp(size_t value, size_t multiple) {
  return (value + multiple - 1) / multiple * multiple;
}

// acc + weight * value, rounded as TF does unless kFused.
template <bool kFused, class V>
HWY_INLINE V WeightedAdd(V acc, V weight, V value) {
  if constexpr (kFused) {
    return hn::MulAdd(weight, value, acc);
  } else {
    return hn::Add(acc, hn::Mul(weight, value));
  }
}

HWY_INLINE VF LoadAsFloat(DF df, const uint8_t* HWY_RESTRICT samples) {
  const hn::Rebind<uint8_t, DF> d8;
  const hn::Rebind<int32_t, DF> d32;
  return hn::ConvertTo(df, hn::PromoteTo(d32, hn::LoadU(d8, samples)));
}
HWY_INLINE VF LoadAsFloat(DF df, const uint16_t* HWY_RESTRICT samples) {
  const hn::Rebind<uint16_t, DF> d16;
  const hn::Rebind<int32_t, DF> d32;
  return hn::ConvertTo(df, hn::PromoteTo(d32, hn::LoadU(d16, samples)));
}
HWY_INLINE VF LoadAsFloat(DF df, const float* HWY_RESTRICT samples) {
  return hn::LoadU(df, samples);
}

// Converts `count` samples to float (unscaled) and zero-fills up to `padded`
// (a multiple of the vector size), so that the passes run whole vectors.
template <typename Sample>
void ConvertSamples(const Sample* HWY_RESTRICT samples, size_t count,
                    size_t padded, float* HWY_RESTRICT values) {
  const DF df;
  const size_t lanes = hn::Lanes(df);
  size_t i = 0;
  for (; i + lanes <= count; i += lanes) {
    hwy::Prefetch(reinterpret_cast<const uint8_t*>(samples + i) + kPrefetchAhead);
    hn::StoreU(LoadAsFloat(df, samples + i), df, values + i);
  }
  for (; i < count; ++i) values[i] = static_cast<float>(samples[i]);
  for (; i < padded; ++i) values[i] = 0.0f;
}

// w0 * v0 + ... + w3 * v3 added to `sum` in that order.
template <bool kFused>
HWY_INLINE VF AddTerms(VF sum, VF w0, VF w1, VF w2, VF w3, VF v0, VF v1,
                       VF v2, VF v3) {
  sum = WeightedAdd<kFused>(sum, w0, v0);
  sum = WeightedAdd<kFused>(sum, w1, v1);
  sum = WeightedAdd<kFused>(sum, w2, v2);
  return WeightedAdd<kFused>(sum, w3, v3);
}

// The vertical pass for up to four output rows and one group of kGroup
// converted rows (`rows`, `row_stride` floats apart), over `count` floats:
// to[j] = from[j] + weights[j][0] * row 0 + ... + weights[j][3] * row 3, in
// that order in every lane, as TF adds the rows of a span one by one. Each
// group row is loaded once for all the output rows, with their weights held
// in registers, which halves the loads per multiply-add. Group rows outside
// an output row's span come with weight 0: adding 0 * (a finite value)
// changes no sum's bits, as sums start at +0 and so are never -0.
template <size_t kOut, bool kFused>
void AddGroup(const float* HWY_RESTRICT rows, size_t row_stride,
              const float (*weights)[kGroup], const float* const* from,
              float* const* to, size_t count) {
  static_assert(kGroup == 4 && kOut >= 1 && kOut <= 4, "four terms, four rows");
  const DF df;
  const size_t lanes = hn::Lanes(df);
  constexpr size_t kB = kOut > 1 ? 1 : 0, kC = kOut > 2 ? 2 : 0,
                   kD = kOut > 3 ? 3 : 0;
  const VF a0 = hn::Set(df, weights[0][0]), a1 = hn::Set(df, weights[0][1]),
           a2 = hn::Set(df, weights[0][2]), a3 = hn::Set(df, weights[0][3]);
  const VF b0 = hn::Set(df, weights[kB][0]), b1 = hn::Set(df, weights[kB][1]),
           b2 = hn::Set(df, weights[kB][2]), b3 = hn::Set(df, weights[kB][3]);
  const VF c0 = hn::Set(df, weights[kC][0]), c1 = hn::Set(df, weights[kC][1]),
           c2 = hn::Set(df, weights[kC][2]), c3 = hn::Set(df, weights[kC][3]);
  const VF d0 = hn::Set(df, weights[kD][0]), d1 = hn::Set(df, weights[kD][1]),
           d2 = hn::Set(df, weights[kD][2]), d3 = hn::Set(df, weights[kD][3]);
  const float* HWY_RESTRICT r0 = rows;
  const float* HWY_RESTRICT r1 = rows + row_stride;
  const float* HWY_RESTRICT r2 = rows + 2 * row_stride;
  const float* HWY_RESTRICT r3 = rows + 3 * row_stride;
  // Locals, or every store would make the compiler reload the pointers.
  const float *from_a = from[0], *from_b = from[kB], *from_c = from[kC],
              *from_d = from[kD];
  float *to_a = to[0], *to_b = to[kB], *to_c = to[kC], *to_d = to[kD];
  for (size_t i = 0; i < count; i += lanes) {
    const VF v0 = hn::LoadU(df, r0 + i), v1 = hn::LoadU(df, r1 + i),
             v2 = hn::LoadU(df, r2 + i), v3 = hn::LoadU(df, r3 + i);
    hn::StoreU(AddTerms<kFused>(hn::LoadU(df, from_a + i), a0, a1, a2, a3,
                                v0, v1, v2, v3), df, to_a + i);
    if constexpr (kOut > 1) {
      hn::StoreU(AddTerms<kFused>(hn::LoadU(df, from_b + i), b0, b1, b2, b3,
                                  v0, v1, v2, v3), df, to_b + i);
    }
    if constexpr (kOut > 2) {
      hn::StoreU(AddTerms<kFused>(hn::LoadU(df, from_c + i), c0, c1, c2, c3,
                                  v0, v1, v2, v3), df, to_c + i);
    }
    if constexpr (kOut > 3) {
      hn::StoreU(AddTerms<kFused>(hn::LoadU(df, from_d + i), d0, d1, d2, d3,
                                  v0, v1, v2, v3), df, to_d + i);
    }
  }
}

template <bool kFused>
void AddGroupTo(size_t outputs, const float* rows, size_t row_stride,
                const float (*weights)[kGroup], const float* const* from,
                float* const* to, size_t count) {
  switch (outputs) {
    case 1: return AddGroup<1, kFused>(rows, row_stride, weights, from, to, count);
    case 2: return AddGroup<2, kFused>(rows, row_stride, weights, from, to, count);
    case 3: return AddGroup<3, kFused>(rows, row_stride, weights, from, to, count);
    default: return AddGroup<4, kFused>(rows, row_stride, weights, from, to, count);
  }
}

// The horizontal pass reads no input, so the memory bus would idle while it
// runs (it is a fifth of the time). It requests, line by line, the input rows
// the next groups will read, into L2, so that fetching them overlaps the
// filtering instead of stalling the conversion later.
class InputPrefetcher {
 public:
  explicit InputPrefetcher(const ImageView& image)
      : image_(image),
        row_bytes_(image.width * image.channels * sample_size(image.type)) {}

  // Rows before `first` are read already; rows from `limit` on are not
  // needed soon enough to hold them in the cache.
  void Aim(size_t first, size_t limit) {
    if (row_ < first) {
      row_ = first;
      offset_ = 0;
    }
    limit_ = std::min(limit, image_.height);
  }

  HWY_INLINE void Step() {
    if (row_ >= limit_) return;
    __builtin_prefetch(image_.row(row_) + offset_, 0, 2);
    offset_ += kLineBytes;
    if (offset_ >= row_bytes_) {
      offset_ = 0;
      ++row_;
    }
  }

 private:
  static constexpr size_t kLineBytes = 64;
  const ImageView& image_;
  const size_t row_bytes_;
  size_t row_ = 0, offset_ = 0, limit_ = 0;
};

// Writes the first min(3, lanes) lanes of a pixel's sum. Only the last pixel
// of a row needs care: elsewhere the extra lane lands on the next pixel,
// which is written afterwards.
template <class D>
HWY_INLINE void StorePixel(D d, hn::Vec<D> sum, bool last, float* out) {
  if (hn::MaxLanes(d) == 1 || !last) {
    hn::StoreU(sum, d, out);
  } else {
    float lanes[hn::MaxLanes(d)];
    hn::StoreU(sum, d, lanes);
    std::memcpy(out, lanes, 3 * sizeof(float));
  }
}

// Up to four rows that share one tap: the weight is broadcast once and the
// pixel at `offset` of each row weighted by it.
template <size_t kRows, bool kFused, class D>
HWY_INLINE void AddTap(D d, float weight, size_t offset, const float* in_a,
                       const float* in_b, const float* in_c, const float* in_d,
                       hn::Vec<D>& sum_a, hn::Vec<D>& sum_b, hn::Vec<D>& sum_c,
                       hn::Vec<D>& sum_d) {
  const hn::Vec<D> w = hn::Set(d, weight);
  sum_a = WeightedAdd<kFused>(sum_a, w, hn::LoadU(d, in_a + offset));
  if constexpr (kRows > 1) {
    sum_b = WeightedAdd<kFused>(sum_b, w, hn::LoadU(d, in_b + offset));
  }
  if constexpr (kRows > 2) {
    sum_c = WeightedAdd<kFused>(sum_c, w, hn::LoadU(d, in_c + offset));
  }
  if constexpr (kRows > 3) {
    sum_d = WeightedAdd<kFused>(sum_d, w, hn::LoadU(d, in_d + offset));
  }
}

// The horizontal pass for kRows finished rows at once (`in`, input pixels
// `channels` floats apart; `out`, output pixels 3 floats apart). A pixel is
// one vector of d's lanes: 1 for a single channel, 4 for RGB (the 4th lane
// is ignored). Rows share each column's span and weights, so one weight
// broadcast serves all of them, and two pixels at a time give 2 * kRows
// independent sums to hide the multiply-add latency. Taps are added in TF's
// order.
template <size_t kRows, class D, bool kFused>
void FilterRows(D d, const float* const* in, size_t channels,
                const AxisSpans& columns, InputPrefetcher& prefetcher,
                float* const* out) {
  using V = hn::Vec<D>;
  constexpr size_t kB = kRows > 1 ? 1 : 0, kC = kRows > 2 ? 2 : 0,
                   kD = kRows > 3 ? 3 : 0;
  const float *in_a = in[0], *in_b = in[kB], *in_c = in[kC], *in_d = in[kD];
  float *out_a = out[0], *out_b = out[kB], *out_c = out[kC], *out_d = out[kD];
  const size_t width = columns.size();
  for (size_t x = 0; x < width; x += 2) {
    // Two input lines per output pixel: about what memory delivers meanwhile.
    for (size_t k = 0; k < 4 * kRows; ++k) prefetcher.Step();
    const bool pair = x + 1 < width;
    const size_t x1 = pair ? x + 1 : x;
    const size_t n0 = columns.length[x], n1 = pair ? columns.length[x1] : 0;
    const size_t base0 = columns.start[x] * channels;
    const size_t base1 = columns.start[x1] * channels;
    const float* w0 = columns.weights_of(x);
    const float* w1 = columns.weights_of(x1);
    V a0 = hn::Zero(d), b0 = a0, c0 = a0, d0 = a0;
    V a1 = a0, b1 = a0, c1 = a0, d1 = a0;
    const size_t common = std::min(n0, n1);
    for (size_t i = 0; i < common; ++i) {
      AddTap<kRows, kFused>(d, w0[i], base0 + i * channels, in_a, in_b, in_c,
                            in_d, a0, b0, c0, d0);
      AddTap<kRows, kFused>(d, w1[i], base1 + i * channels, in_a, in_b, in_c,
                            in_d, a1, b1, c1, d1);
    }
    for (size_t i = common; i < n0; ++i) {
      AddTap<kRows, kFused>(d, w0[i], base0 + i * channels, in_a, in_b, in_c,
                            in_d, a0, b0, c0, d0);
    }
    for (size_t i = common; i < n1; ++i) {
      AddTap<kRows, kFused>(d, w1[i], base1 + i * channels, in_a, in_b, in_c,
                            in_d, a1, b1, c1, d1);
    }
    const bool last0 = !pair, last1 = x + 2 == width;
    StorePixel(d, a0, last0, out_a + 3 * x);
    if (pair) StorePixel(d, a1, last1, out_a + 3 * x1);
    if constexpr (kRows > 1) {
      StorePixel(d, b0, last0, out_b + 3 * x);
      if (pair) StorePixel(d, b1, last1, out_b + 3 * x1);
    }
    if constexpr (kRows > 2) {
      StorePixel(d, c0, last0, out_c + 3 * x);
      if (pair) StorePixel(d, c1, last1, out_c + 3 * x1);
    }
    if constexpr (kRows > 3) {
      StorePixel(d, d0, last0, out_d + 3 * x);
      if (pair) StorePixel(d, d1, last1, out_d + 3 * x1);
    }
  }
}

template <class D, bool kFused>
void FilterRowsOf(D d, size_t count, const float* const* in, size_t channels,
                  const AxisSpans& columns, InputPrefetcher& prefetcher,
                  float* const* out) {
  switch (count) {
    case 1: return FilterRows<1, D, kFused>(d, in, channels, columns, prefetcher, out);
    case 2: return FilterRows<2, D, kFused>(d, in, channels, columns, prefetcher, out);
    case 3: return FilterRows<3, D, kFused>(d, in, channels, columns, prefetcher, out);
    default: return FilterRows<4, D, kFused>(d, in, channels, columns, prefetcher, out);
  }
}

// The horizontal pass of up to four finished rows: each holds input_width
// pixels of `channels` floats plus at least one float of padding. Gray (and
// gray+alpha) is filtered once and replicated.
template <bool kFused>
void FilterRowsHorizontally(size_t count, const float* const* rows,
                            size_t channels, const AxisSpans& columns,
                            InputPrefetcher& prefetcher, float* const* out) {
  const hn::CappedTag<float, 4> d4;
  const hn::CappedTag<float, 1> d1;
  if (channels >= 3 && hn::MaxLanes(d4) == 4) {
    return FilterRowsOf<decltype(d4), kFused>(d4, count, rows, channels,
                                              columns, prefetcher, out);
  }
  const size_t filtered = channels >= 3 ? 3 : 1;
  for (size_t c = 0; c < filtered; ++c) {
    const float* in_c[4] = {};
    float* out_c[4] = {};
    for (size_t j = 0; j < count; ++j) {
      in_c[j] = rows[j] + c;
      out_c[j] = out[j] + c;
    }
    FilterRowsOf<decltype(d1), kFused>(d1, count, in_c, channels, columns,
                                       prefetcher, out_c);
  }
  if (filtered == 1) {
    for (size_t j = 0; j < count; ++j) {
      for (size_t x = 0; x < columns.size(); ++x) {
        out[j][3 * x + 1] = out[j][3 * x + 2] = out[j][3 * x];
      }
    }
  }
}

// The most output rows whose spans are open at once while walking the input
// in groups (the number of accumulator rows needed).
size_t MaxRowsInFlight(const AxisSpans& rows, size_t input_height) {
  size_t opened = 0, closed = 0, most = 1;
  for (size_t first = 0; first < input_height && closed < rows.size();
       first += kGroup) {
    const size_t end = std::min(first + kGroup, input_height);
    while (opened < rows.size() && rows.start[opened] < end) ++opened;
    most = std::max(most, opened - closed);
    while (closed < opened && rows.end(closed) <= end) ++closed;
  }
  return most;
}

// Walks the input in groups of kGroup rows. An output row opens at the group
// holding its span's first row (starts grow with y, so every row opens at
// the group that holds its start) and closes, through the horizontal pass,
// at the group holding its last row (ends grow with y too).
template <typename Sample>
void FilterImage(const ImageView& image, const AxisSpans& rows,
                 const AxisSpans& columns, float* out, size_t out_row_floats) {
  constexpr bool kFused = !std::is_same<Sample, float>::value;
  const DF df;
  const size_t lanes = hn::Lanes(df);
  const size_t row_floats = image.width * image.channels;
  // Whole vectors, and one float more for the 4-lane read of the last RGB
  // pixel in the horizontal pass.
  const size_t padded = RoundUp(row_floats + 1, lanes);
  const size_t chunk = RoundUp(kChunk, lanes);
  // Finished rows wait for the horizontal pass until there are four.
  constexpr size_t kBatch = 4;
  const size_t slots = MaxRowsInFlight(rows, image.height) + kBatch - 1;
  auto accumulators = hwy::AllocateAligned<float>(slots * padded);
  auto converted = hwy::AllocateAligned<float>(kGroup * chunk);
  auto zeros = hwy::AllocateAligned<float>(chunk);
  std::fill_n(zeros.get(), chunk, 0.0f);
  auto accumulator_of = [&](size_t y) {
    return accumulators.get() + (y % slots) * padded;
  };
  InputPrefetcher prefetcher(image);
  size_t filtered = 0;  // rows done with both passes
  auto filter_finished = [&](size_t closed) HWY_ATTR {
    while (filtered < closed) {
      const size_t count = std::min(kBatch, closed - filtered);
      const float* in[kBatch];
      float* to[kBatch];
      for (size_t j = 0; j < count; ++j) {
        in[j] = accumulator_of(filtered + j);
        to[j] = out + (filtered + j) * out_row_floats;
      }
      FilterRowsHorizontally<kFused>(count, in, image.channels, columns,
                                     prefetcher, to);
      filtered += count;
    }
  };

  size_t opened = 0, closed = 0;
  for (size_t first = 0; first < image.height && closed < rows.size();
       first += kGroup) {
    const size_t end = std::min(first + kGroup, image.height);
    while (opened < rows.size() && rows.start[opened] < end) ++opened;
    for (size_t offset = 0; offset < padded && closed < opened;
         offset += chunk) {
      const size_t count = std::min(chunk, padded - offset);
      const size_t samples = std::min(count, row_floats - std::min(row_floats, offset));
      for (size_t r = first; r < first + kGroup; ++r) {
        // Past the last input row: zeros, taken with weight 0.
        const auto* row = reinterpret_cast<const Sample*>(image.row(std::min(r, end - 1)));
        ConvertSamples(row + std::min(offset, row_floats), r < end ? samples : 0,
                       count, converted.get() + (r - first) * chunk);
      }
      for (size_t y = closed; y < opened; y += 4) {
        const size_t outputs = std::min<size_t>(4, opened - y);
        float weights[4][kGroup];
        const float* from[4];
        float* to[4];
        for (size_t j = 0; j < outputs; ++j) {
          const size_t start = rows.start[y + j], stop = rows.end(y + j);
          for (size_t k = 0; k < kGroup; ++k) {
            const size_t r = first + k;
            weights[j][k] = r >= start && r < stop ? rows.weights_of(y + j)[r - start] : 0.0f;
          }
          to[j] = accumulator_of(y + j) + offset;
          // The group holding a span's first row starts its sum from zero.
          from[j] = start >= first ? zeros.get() : to[j];
        }
        AddGroupTo<kFused>(outputs, converted.get(), chunk, weights, from, to, count);
      }
    }
    while (closed < opened && rows.end(closed) <= end) ++closed;
    if (closed - filtered >= kBatch) {
      prefetcher.Aim(end, end + 2 * kGroup);
      filter_finished(closed);
    }
  }
  filter_finished(closed);
}

void FilterUint8(const ImageView& image, const AxisSpans& rows,
                 const AxisSpans& columns, float* out, size_t out_row_floats) {
  FilterImage<uint8_t>(image, rows, columns, out, out_row_floats);
}
void FilterUint16(const ImageView& image, const AxisSpans& rows,
                  const AxisSpans& columns, float* out, size_t out_row_floats) {
  FilterImage<uint16_t>(image, rows, columns, out, out_row_floats);
}
void FilterFloat32(const ImageView& image, const AxisSpans& rows,
                   const AxisSpans& columns, float* out,
                   size_t out_row_floats) {
  FilterImage<float>(image, rows, columns, out, out_row_floats);
}
const char* CompiledTargetName() { return hwy::TargetName(HWY_TARGET); }

}  // namespace HWY_NAMESPACE
}  // namespace attention_jxl
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace attention_jxl {

HWY_EXPORT(FilterUint8);
HWY_EXPORT(FilterUint16);
HWY_EXPORT(FilterFloat32);
HWY_EXPORT(CompiledTargetName);

void filter_separably(const ImageView& image, const AxisSpans& rows,
                      const AxisSpans& columns, float* out,
                      size_t out_row_floats) {
  switch (image.type) {
    case SampleType::kUint8:
      HWY_DYNAMIC_DISPATCH(FilterUint8)(image, rows, columns, out, out_row_floats);
      break;
    case SampleType::kUint16:
      HWY_DYNAMIC_DISPATCH(FilterUint16)(image, rows, columns, out, out_row_floats);
      break;
    case SampleType::kFloat32:
      HWY_DYNAMIC_DISPATCH(FilterFloat32)(image, rows, columns, out, out_row_floats);
      break;
  }
  // Rows TF leaves empty (sampling point past the source) are zero; they
  // come last and are never opened.
  for (size_t y = 0; y < rows.size(); ++y) {
    if (rows.length[y] == 0) {
      std::fill_n(out + y * out_row_floats, columns.size() * 3, 0.0f);
    }
  }
}

const char* resize_simd_target() { return HWY_DYNAMIC_DISPATCH(CompiledTargetName)(); }

}  // namespace attention_jxl
#endif  // HWY_ONCE

// The separable filter of the resize: a vertical pass over the image, then a
// horizontal pass over each finished row, in SIMD chosen at run time for the
// CPU (SSE4, AVX2, AVX-512, ...).
#pragma once

#include <cstddef>

#include "attention_jxl/image.h"
#include "image/resize_spans.h"

namespace attention_jxl {

// Writes rows.size() rows of columns.size() RGB pixels to `out`, rows
// `out_row_floats` apart. Rows and columns TF leaves empty are zero. The
// image must be valid (validate_image); gray is replicated, alpha ignored.
void filter_separably(const ImageView& image, const AxisSpans& rows,
                      const AxisSpans& columns, float* out,
                      size_t out_row_floats);

}  // namespace attention_jxl

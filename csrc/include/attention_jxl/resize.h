// Reproduces TensorFlow's tf.image.resize_with_pad(image, target_height,
// target_width, method="bicubic", antialias=True) on the model's RGB view of
// an image: the same resized size, the same zero padding offsets and the same
// Keys cubic kernel (a = -0.5) widened by the downscale factor.
#pragma once

#include <cstddef>

#include "attention_jxl/export.h"
#include "attention_jxl/image.h"

namespace attention_jxl {

// Where the resized image lands inside the padded target.
struct PadGeometry {
  size_t resized_width = 0;
  size_t resized_height = 0;
  size_t pad_left = 0;
  size_t pad_top = 0;
};

// The sizes and offsets TF computes (in float32) for resize_with_pad.
ATTENTION_JXL_EXPORT PadGeometry resize_with_pad_geometry(size_t width, size_t height,
                                     size_t target_width, size_t target_height);

// Writes target_height * target_width * 3 floats (HWC, RGB) to `out`.
// The model's view of the pixels: gray is replicated to RGB, alpha ignored,
// uint8 scaled by 1/255, uint16 by 1/65535, float taken as is.
ATTENTION_JXL_EXPORT void resize_with_pad(const ImageView& image, size_t target_width,
                     size_t target_height, float* out);

// The instruction set resize_with_pad picked for this CPU at run time, as
// Highway names it ("AVX3" = AVX-512, "AVX2", "SSE4", ...).
ATTENTION_JXL_EXPORT const char* resize_simd_target();

}  // namespace attention_jxl

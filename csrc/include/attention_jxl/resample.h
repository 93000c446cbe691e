// A general resize for any image the core accepts, keeping its sample type
// and channels (alpha included): thumbnails and resized saliency maps.
#pragma once

#include <cstddef>

#include "attention_jxl/decode.h"
#include "attention_jxl/export.h"
#include "attention_jxl/image.h"

namespace attention_jxl {

// Separable triangle (bilinear) filter over pixel centers, widened by the
// scale factor when shrinking so that every input pixel contributes
// (antialiased, like Pillow's BILINEAR); plain bilinear interpolation when
// enlarging. The weights are never negative, so the output stays within the
// input's range; integer samples are rounded to nearest. Each channel is
// filtered on its own, in float32. Throws Error(kInvalidArgument) for an
// invalid image or a zero target size.
ATTENTION_JXL_EXPORT DecodedImage resample(const ImageView& image, size_t width, size_t height);

}  // namespace attention_jxl

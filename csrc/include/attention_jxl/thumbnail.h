// Thumbnails: shrunk copies of an image, cropped where people look.
#pragma once

#include <cstddef>

#include "attention_jxl/decode.h"
#include "attention_jxl/export.h"
#include "attention_jxl/image.h"
#include "attention_jxl/model.h"

namespace attention_jxl {

enum class Fit {
  kCover,    // crop to the target's aspect by saliency, shrink to exactly the target
  kContain,  // shrink the whole image to fit inside the target, keeping its aspect
};

// A width x height thumbnail (for kContain: the largest size of the image's
// aspect inside it), same sample type and channels, resampled with
// resample(). Never enlarged: when the image (kCover: its crop) is smaller
// than the target it keeps its own size. `orientation` (EXIF 1..8) is how
// the model sees the image; the thumbnail stays in stored orientation.
// kContain needs no model (`model` may be null).
// Throws Error(kInvalidArgument) for a zero target size, a bad image, or
// kCover without a model.
ATTENTION_JXL_EXPORT DecodedImage thumbnail(const Model* model, const ImageView& image, size_t width, size_t height,
                       Fit fit, int orientation = 1);

}  // namespace attention_jxl

// The attention center of an image, in the image's own pixel coordinates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "attention_jxl/encode.h"
#include "attention_jxl/export.h"
#include "attention_jxl/image.h"
#include "attention_jxl/model.h"
#include "attention_jxl/types.h"

namespace attention_jxl {

// Maps a model output back to original pixels exactly as the published
// pipeline does, including its fallback to the image middle when the point
// lands in the padding.
ATTENTION_JXL_EXPORT Point model_point_to_image(ModelPoint point, size_t width, size_t height);

// Resize with pad + inference + mapping back.
ATTENTION_JXL_EXPORT Point predict_center(const Model& model, const ImageView& image);

// For pixels stored with an EXIF orientation (1..8): the model sees the image
// upright, the center is returned in the stored pixels' coordinates (what
// the group order needs).
ATTENTION_JXL_EXPORT Point predict_center(const Model& model, const ImageView& stored, int orientation);

// The center of an existing JPEG XL file, in its displayed pixels (as
// decode() returns them). From the decoded image by default; with `dc_only`
// from its 1:8 DC image, decoding only the prefix lf_prefix() (reorder.h)
// gives. That is no faster with libjxl, which draws the missing groups at
// full size from the DC, and it lands some 5% of the diagonal away from the
// full-resolution center (benchmarks/test_bench_reorder.py): kept to measure.
ATTENTION_JXL_EXPORT Point predict_jxl_center(const Model& model, const uint8_t* data, size_t size,
                         bool dc_only = false);

// Predicts the center and encodes with the groups around it first.
// settings.center_first/center_x/center_y are overwritten.
ATTENTION_JXL_EXPORT std::vector<uint8_t> encode_center_first(const Model& model, const ImageView& image,
                                         EncodeSettings settings);

}  // namespace attention_jxl

// Lossless JPEG -> JPEG XL recompression with center-first group order,
// configured exactly as cjxl 0.7 configures it for a JPEG input (its default
// --lossless_jpeg=1), so the same center gives the same file as
// `cjxl --group_order 1 --center_x X --center_y Y -e E in.jpg out.jxl`.
// The JPEG bytes are reconstructible from the result (`djxl out.jxl out.jpg`).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "attention_jxl/center.h"
#include "attention_jxl/export.h"
#include "attention_jxl/model.h"

namespace attention_jxl {

struct TranscodeSettings {
  int effort = 7;  // 1 (fastest) .. 9 (slowest)

  // Center-first group order, in the stored (not Exif-rotated) pixels of the
  // JPEG. -1 lets libjxl use the image middle.
  bool center_first = false;
  long center_x = -1;
  long center_y = -1;

  // Worker threads for libjxl; 0 means one per core.
  int threads = 0;
  // When set, these threads do the work and `threads` is ignored.
  const ThreadPool* pool = nullptr;
};

// The attention center of a JPEG, and what was noticed on the way.
struct JpegCenter {
  // In the stored pixels of the JPEG, the coordinates the group order uses.
  // The model saw the image upright (Exif orientation applied); the point is
  // mapped back.
  Point center;
  int orientation = 1;  // the Exif orientation applied (1 = none)
  // Problems that were worked around, e.g. an unreadable Exif block (then
  // the image is taken as upright).
  std::vector<std::string> warnings;
};

// Throws Error(kCorruptData) for data that is not a complete JPEG,
// Error(kUnsupported) for a JPEG that libjxl cannot recompress losslessly
// (e.g. arithmetic coded), Error(kInvalidArgument) for bad settings.
ATTENTION_JXL_EXPORT std::vector<uint8_t> transcode_jpeg(const uint8_t* data, size_t size,
                                    const TranscodeSettings& settings);

// Decodes the JPEG (libjpeg, default settings), applies its Exif orientation
// and predicts the center. Throws as transcode_jpeg.
ATTENTION_JXL_EXPORT JpegCenter predict_jpeg_center(const Model& model, const uint8_t* data, size_t size);

// predict_jpeg_center + transcode_jpeg around that center.
// settings.center_first/center_x/center_y are overwritten. When `warnings` is
// given, the prediction's warnings are appended to it.
ATTENTION_JXL_EXPORT std::vector<uint8_t> transcode_jpeg_center_first(const Model& model, const uint8_t* data,
                                                 size_t size, TranscodeSettings settings,
                                                 std::vector<std::string>* warnings = nullptr);

}  // namespace attention_jxl

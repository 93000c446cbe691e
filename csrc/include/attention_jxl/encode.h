// JPEG XL encoding with libjxl, configured exactly as cjxl configures it for
// the same pixels read from a PPM/PGM/PAM/PFM file, so that the same settings
// produce the same codestream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "attention_jxl/export.h"
#include "attention_jxl/image.h"
#include "attention_jxl/thread_pool.h"

namespace attention_jxl {

struct EncodeSettings {
  float distance = 1.0f;  // butteraugli distance, 0 (lossless) .. 25
  int effort = 7;         // 1 (fastest) .. 9 (slowest)
  bool lossless = false;  // true forces distance 0 and lossless modular coding

  // Center-first group order: groups are stored by distance from
  // (center_x, center_y). -1 lets libjxl use the image middle.
  bool center_first = false;
  long center_x = -1;
  long center_y = -1;

  // Worker threads for libjxl; 0 means one per core, 1 encodes on the
  // calling thread only.
  int threads = 0;
  // When set, these threads do the work and `threads` is ignored.
  const ThreadPool* pool = nullptr;

  // The pixels' ICC profile, stored in the file; empty means sRGB (or sRGB
  // gray), as cjxl assumes for PNM input.
  std::vector<uint8_t> icc_profile;

  // EXIF orientation (1..8) recorded in the file so viewers turn the image
  // upright; the pixels and the center stay in stored coordinates.
  int orientation = 1;

  // EXIF (a TIFF structure, see metadata.h) and XMP stored as container
  // boxes; empty: none.
  std::vector<uint8_t> exif;
  std::vector<uint8_t> xmp;

  // Further libjxl frame settings by name (see frame_setting_names()),
  // applied after the defaults above, in order.
  std::vector<std::pair<std::string, double>> frame_settings;
};

// The libjxl version linked at run time (which may differ from the headers
// built against), e.g. {0, 7, 0}.
struct LibjxlVersion {
  int major = 0;
  int minor = 0;
  int patch = 0;
};
ATTENTION_JXL_EXPORT LibjxlVersion libjxl_version();

// Names accepted in EncodeSettings::frame_settings, sorted.
ATTENTION_JXL_EXPORT std::vector<std::string> frame_setting_names();

// Throws Error(kInvalidArgument) for bad pixels or settings.
ATTENTION_JXL_EXPORT std::vector<uint8_t> encode(const ImageView& image,
                            const EncodeSettings& settings);

}  // namespace attention_jxl

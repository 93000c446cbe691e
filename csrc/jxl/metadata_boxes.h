// Writes EXIF and XMP into an encoder's output as container boxes (internal).
#pragma once

#include <jxl/encode.h>

#include <cstdint>
#include <vector>

namespace attention_jxl {

// Before the first frame is added, so the boxes precede the codestream as
// cjxl places them. Does nothing when both are empty.
void add_metadata_boxes(JxlEncoder* encoder, const std::vector<uint8_t>& exif,
                        const std::vector<uint8_t>& xmp);

}  // namespace attention_jxl

#include "jxl/metadata_boxes.h"

#include "attention_jxl/metadata.h"
#include "jxl/encoder_setup.h"

namespace attention_jxl {

void add_metadata_boxes(JxlEncoder* encoder, const std::vector<uint8_t>& exif,
                        const std::vector<uint8_t>& xmp) {
  if (exif.empty() && xmp.empty()) return;
  check_encoder(encoder, JxlEncoderUseContainer(encoder, JXL_TRUE), "JxlEncoderUseContainer");
  check_encoder(encoder, JxlEncoderUseBoxes(encoder), "JxlEncoderUseBoxes");
  if (!exif.empty()) {
    // The box starts with the offset of the TIFF header in it: 0.
    std::vector<uint8_t> box = {0, 0, 0, 0};
    const std::vector<uint8_t> tiff = exif_tiff(exif);
    box.insert(box.end(), tiff.begin(), tiff.end());
    check_encoder(encoder, JxlEncoderAddBox(encoder, "Exif", box.data(), box.size(), JXL_FALSE),
                  "JxlEncoderAddBox(Exif)");
  }
  if (!xmp.empty()) {
    check_encoder(encoder, JxlEncoderAddBox(encoder, "xml ", xmp.data(), xmp.size(), JXL_FALSE),
                  "JxlEncoderAddBox(xml)");
  }
  JxlEncoderCloseBoxes(encoder);
}

}  // namespace attention_jxl

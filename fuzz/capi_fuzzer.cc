// libFuzzer target over the C ABI's decode (full and partial), group order
// and reorder (scanline and around a center taken from the input): every
// input must give a status, never a crash, leak or sanitizer report.
#include <attention_jxl/attention_jxl.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ajxl_set_max_image_pixels(1u << 22);  // keep single runs fast and within memory
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  // The first two bytes choose the mode and the center; the rest is the file.
  const uint8_t mode = data[0];
  const ajxl_point center = {(data[1] & 0x0f) * 97L, (data[1] >> 4) * 97L};
  const uint8_t* file = data + 2;
  const size_t file_size = size - 2;

  ajxl_decoded_image image;
  if (ajxl_decode(file, file_size, (mode & 1) ? AJXL_DECODE_PARTIAL : AJXL_DECODE_FULL, nullptr,
                  &image) == AJXL_OK) {
    ajxl_free(image.pixels);
  } else if (image.pixels != nullptr) {
    std::abort();  // failures leave the out-parameters zeroed
  }

  ajxl_group_origin* origins = nullptr;
  size_t count = 0;
  if (ajxl_group_order(file, file_size, (mode >> 1) & 3, &origins, &count) == AJXL_OK) {
    ajxl_free(origins);
  }

  uint8_t* rewritten = nullptr;
  size_t rewritten_size = 0;
  const ajxl_status status =
      (mode & 8) ? ajxl_reorder_scanline(file, file_size, &rewritten, &rewritten_size)
                 : ajxl_reorder(nullptr, file, file_size, &center, &rewritten, &rewritten_size);
  if (status == AJXL_OK) {
    // A rewritten file decodes as the original does.
    ajxl_decoded_image again;
    if (ajxl_decode(rewritten, rewritten_size, AJXL_DECODE_FULL, nullptr, &again) == AJXL_OK) {
      ajxl_free(again.pixels);
    }
    ajxl_free(rewritten);
  }
  return 0;
}

#include "attention_jxl/limits.h"

#include <atomic>

#include "attention_jxl/error.h"

namespace attention_jxl {
namespace {

std::atomic<uint64_t> limit_in_effect{kDefaultMaxImagePixels};

}  // namespace

uint64_t max_image_pixels() { return limit_in_effect.load(std::memory_order_relaxed); }

void set_max_image_pixels(uint64_t pixels) {
  limit_in_effect.store(pixels, std::memory_order_relaxed);
}

void check_image_pixels(uint64_t width, uint64_t height, const std::string& what,
                        uint64_t limit) {
  if (limit == 0) return;
  // width * height may not fit in 64 bits (a corrupt header can declare
  // anything), so compare by division.
  if (width == 0 || height == 0 || height <= limit / width) return;
  throw Error(ErrorCode::kTooLarge,
              what + " of " + std::to_string(width) + "x" + std::to_string(height) +
                  " pixels exceeds the limit of " + std::to_string(limit) +
                  " pixels (for trusted input, raise it: set_max_image_pixels(), "
                  "attention-jxl --max-pixels)");
}

}  // namespace attention_jxl

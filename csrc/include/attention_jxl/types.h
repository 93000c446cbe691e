// Plain value types shared across the core's headers.
#pragma once

namespace attention_jxl {

// A pixel position in an image.
struct Point {
  long x = 0;
  long y = 0;
};

// A window of an image in its pixels: columns [x, x + width), rows [y, y + height).
struct Box {
  long x = 0;
  long y = 0;
  long width = 0;
  long height = 0;
};

}  // namespace attention_jxl

// The window of an image holding the most saliency mass.
//
// The map is taken as a density: each cell's value spread evenly over the
// image pixels it covers. Its integral over [0, u) x [0, v) (u, v in map
// cells, fractional) is the bilinear interpolation of the map's summed-area
// table, so the mass of any window is exact for that density at any image
// resolution, without upsampling the map.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "attention_jxl/error.h"
#include "attention_jxl/limits.h"
#include "attention_jxl/saliency.h"

namespace attention_jxl {
namespace {

void check_size(size_t value, const char* what) {
  if (value == 0) throw Error(ErrorCode::kInvalidArgument, std::string(what) + " must be positive");
  if (value > static_cast<size_t>(std::numeric_limits<long>::max() / 2)) {
    throw Error(ErrorCode::kInvalidArgument, std::string(what) + " is too large");
  }
}

// A fractional position along the map: the cell it falls in and how far in.
struct Edge {
  size_t cell;
  double fraction;
};

Edge edge_at(size_t image_position, size_t image_size, size_t map_size) {
  const double u = static_cast<double>(image_position) * static_cast<double>(map_size) /
                   static_cast<double>(image_size);
  size_t cell = static_cast<size_t>(u);
  if (cell >= map_size) cell = map_size - 1;  // the far edge: all of the last cell
  return {cell, u - static_cast<double>(cell)};
}

double lerp(const double* values, Edge edge) {
  return values[edge.cell] + (values[edge.cell + 1] - values[edge.cell]) * edge.fraction;
}

}  // namespace

Box crop_box(const SaliencyMap& map, size_t image_width, size_t image_height,
             size_t crop_width, size_t crop_height) {
  check_size(image_width, "image width");
  check_size(image_height, "image height");
  check_size(crop_width, "crop width");
  check_size(crop_height, "crop height");
  if (crop_width > image_width || crop_height > image_height) {
    throw Error(ErrorCode::kInvalidArgument,
                "crop " + std::to_string(crop_width) + "x" + std::to_string(crop_height) +
                    " is larger than the image (" + std::to_string(image_width) + "x" +
                    std::to_string(image_height) + ")");
  }
  if (map.width == 0 || map.height == 0 || map.values.size() != map.width * map.height) {
    throw Error(ErrorCode::kInvalidArgument, "saliency map is empty or its size is inconsistent");
  }
  for (const float value : map.values) {
    if (!(value >= 0) || !std::isfinite(value)) {
      throw Error(ErrorCode::kInvalidArgument,
                  "saliency map values must be finite and non-negative");
    }
  }
  // Every window position is visited: bound them as images are bounded.
  check_image_pixels(image_width, image_height, "image");

  // table[i * stride + j]: the sum of the cells above row i and left of column j.
  const size_t stride = map.width + 1;
  std::vector<double> table(stride * (map.height + 1), 0.0);
  for (size_t i = 0; i < map.height; ++i) {
    double row_sum = 0;
    for (size_t j = 0; j < map.width; ++j) {
      row_sum += map.at(j, i);
      table[(i + 1) * stride + j + 1] = table[i * stride + j + 1] + row_sum;
    }
  }

  const size_t positions_x = image_width - crop_width + 1;
  const size_t positions_y = image_height - crop_height + 1;
  std::vector<Edge> left(positions_x), right(positions_x);
  for (size_t x = 0; x < positions_x; ++x) {
    left[x] = edge_at(x, image_width, map.width);
    right[x] = edge_at(x + crop_width, image_width, map.width);
  }

  // Visits every window position with its mass; `columns` holds, per map
  // column edge, the mass between the window's top and bottom edges.
  std::vector<double> columns(stride);
  const auto for_each_window = [&](auto&& visit) {
    for (size_t y = 0; y < positions_y; ++y) {
      const Edge top = edge_at(y, image_height, map.height);
      const Edge bottom = edge_at(y + crop_height, image_height, map.height);
      const double* t0 = &table[top.cell * stride];
      const double* b0 = &table[bottom.cell * stride];
      for (size_t j = 0; j < stride; ++j) {
        const double above = t0[j] + (t0[j + stride] - t0[j]) * top.fraction;
        const double below = b0[j] + (b0[j + stride] - b0[j]) * bottom.fraction;
        columns[j] = below - above;
      }
      for (size_t x = 0; x < positions_x; ++x) {
        visit(x, y, lerp(columns.data(), right[x]) - lerp(columns.data(), left[x]));
      }
    }
  };

  double best = -std::numeric_limits<double>::infinity();
  for_each_window([&](size_t, size_t, double mass) {
    if (mass > best) best = mass;
  });
  // Float sums of equal masses differ in their last bits; what is equal
  // within this is a tie, settled by the distance to the center.
  const double tolerance = 1e-9 * std::abs(table.back());
  const double center_x = static_cast<double>(map.center.x) + 0.5;
  const double center_y = static_cast<double>(map.center.y) + 0.5;
  Box box{0, 0, static_cast<long>(crop_width), static_cast<long>(crop_height)};
  double closest = std::numeric_limits<double>::infinity();
  for_each_window([&](size_t x, size_t y, double mass) {
    if (mass < best - tolerance) return;
    const double dx = static_cast<double>(x) + static_cast<double>(crop_width) / 2 - center_x;
    const double dy = static_cast<double>(y) + static_cast<double>(crop_height) / 2 - center_y;
    const double distance = dx * dx + dy * dy;
    if (distance < closest) {
      closest = distance;
      box.x = static_cast<long>(x);
      box.y = static_cast<long>(y);
    }
  });
  return box;
}

Box crop_box_for_aspect(const SaliencyMap& map, size_t image_width, size_t image_height,
                        double aspect) {
  if (!std::isfinite(aspect) || aspect <= 0) {
    throw Error(ErrorCode::kInvalidArgument,
                "aspect ratio must be a finite positive number, got " + std::to_string(aspect));
  }
  check_size(image_width, "image width");
  check_size(image_height, "image height");
  const double width = static_cast<double>(image_width);
  const double height = static_cast<double>(image_height);
  size_t crop_width = image_width;
  size_t crop_height = image_height;
  if (width / height >= aspect) {
    crop_width = static_cast<size_t>(std::max(1.0, std::min(width, std::nearbyint(height * aspect))));
  } else {
    crop_height = static_cast<size_t>(std::max(1.0, std::min(height, std::nearbyint(width / aspect))));
  }
  return crop_box(map, image_width, image_height, crop_width, crop_height);
}

}  // namespace attention_jxl

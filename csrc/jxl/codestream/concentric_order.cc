#include "jxl/codestream/concentric_order.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace attention_jxl::codestream {

std::vector<uint32_t> concentric_order(uint64_t groups_x, uint64_t groups_y, uint64_t group_dim,
                                       int64_t x, int64_t y) {
  const int64_t dim = static_cast<int64_t>(group_dim);
  x = std::clamp<int64_t>(x, 0, static_cast<int64_t>(groups_x) * dim - 1);
  y = std::clamp<int64_t>(y, 0, static_cast<int64_t>(groups_y) * dim - 1);
  const int64_t center_x = x / dim * dim + dim / 2;
  const int64_t center_y = y / dim * dim + dim / 2;
  constexpr double kPi = 3.14159265358979323846;
  const double direction =
      -std::atan2(static_cast<double>(y - center_y), static_cast<double>(x - center_x));
  const int side = static_cast<int>(std::fmod(direction + 5 * kPi / 4, 2 * kPi) * 2 / kPi);

  struct Key {
    int64_t ring;
    double angle;
    uint32_t group;
  };
  std::vector<Key> keys;
  keys.reserve(groups_x * groups_y);
  for (uint64_t gy = 0; gy < groups_y; ++gy) {
    for (uint64_t gx = 0; gx < groups_x; ++gx) {
      const int64_t dx = static_cast<int64_t>(gx) * dim + dim / 2 - center_x;
      const int64_t dy = static_cast<int64_t>(gy) * dim + dim / 2 - center_y;
      const double angle = std::remainder(
          std::atan2(static_cast<double>(dy), static_cast<double>(dx)) + kPi / 4 + side * kPi / 2,
          2 * kPi);
      keys.push_back({std::max(std::llabs(dx), std::llabs(dy)), angle,
                      static_cast<uint32_t>(gy * groups_x + gx)});
    }
  }
  std::stable_sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
    return a.ring != b.ring ? a.ring < b.ring : a.angle < b.angle;
  });
  std::vector<uint32_t> order;
  order.reserve(keys.size());
  for (const Key& key : keys) order.push_back(key.group);
  return order;
}

}  // namespace attention_jxl::codestream

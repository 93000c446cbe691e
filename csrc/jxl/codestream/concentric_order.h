// libjxl's center-first group order (cjxl --group_order 1): the groups by
// the Chebyshev distance of their centers from the center of the group that
// holds the point (concentric squares), then clockwise by angle, starting on
// the side of that group the point lies closest to (internal).
#pragma once

#include <cstdint>
#include <vector>

namespace attention_jxl::codestream {

// Group indices (row-major) in the order they are to be stored, for a grid
// of groups_x x groups_y groups of group_dim pixels and a point (x, y) in
// the same pixels, clamped into the grid.
std::vector<uint32_t> concentric_order(uint64_t groups_x, uint64_t groups_y, uint64_t group_dim,
                                       int64_t x, int64_t y);

}  // namespace attention_jxl::codestream

// Reads the headers and the first displayed frame's table of contents to find
// the order in which the groups are stored, without decoding any pixels.
#include "attention_jxl/group_order.h"

#include <algorithm>
#include <string>

#include "attention_jxl/error.h"

#include "jxl/codestream/codestream_error.h"
#include "jxl/codestream/container.h"
#include "jxl/codestream/frames.h"

namespace attention_jxl {

std::vector<GroupOrigin> group_order(const uint8_t* data, size_t size, int dc_level) {
  using namespace codestream;
  if (data == nullptr || size == 0) corrupt("no data (0 bytes)");
  const Container container = read_container(data, size, /*allow_cut=*/true);
  FrameReader frames(container.codestream.data(), container.codestream.size());
  FrameInfo f;
  while (frames.next(&f)) {
    const bool wanted = dc_level == 0 ? f.header.displayed()
                                      : f.header.type == kDc &&
                                            f.header.dc_level == static_cast<uint32_t>(dc_level);
    if (f.is_preview || !wanted) continue;
    const uint64_t groups = f.groups();
    const uint64_t scale = f.layout.group_dim * f.header.upsampling;
    std::vector<GroupOrigin> origins(groups);
    std::vector<uint64_t> position(groups);
    for (uint64_t g = 0; g < groups; ++g) {
      origins[g].x = static_cast<uint64_t>(std::max<int64_t>(
          0, f.header.x0 + static_cast<int64_t>((g % f.layout.groups_x) * scale)));
      origins[g].y = static_cast<uint64_t>(std::max<int64_t>(
          0, f.header.y0 + static_cast<int64_t>((g / f.layout.groups_x) * scale)));
      position[g] = f.toc.position(static_cast<uint32_t>(f.first_pass_group() + g));
    }
    std::vector<uint64_t> order(groups);
    for (uint64_t g = 0; g < groups; ++g) order[g] = g;
    std::sort(order.begin(), order.end(),
              [&](uint64_t a, uint64_t b) { return position[a] < position[b]; });
    std::vector<GroupOrigin> result;
    result.reserve(groups);
    for (uint64_t g : order) result.push_back(origins[g]);
    return result;
  }
  if (dc_level == 0) corrupt("no displayed frame");
  throw Error(ErrorCode::kInvalidArgument,
              "the file has no progressive-DC frame at level " + std::to_string(dc_level));
}

}  // namespace attention_jxl

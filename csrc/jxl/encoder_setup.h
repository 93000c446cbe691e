// The libjxl encoder setup shared by encode() (pixels) and transcode_jpeg()
// (JPEG recompression), both configured as cjxl 0.7 configures them (internal).
#pragma once

#include <jxl/encode.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "attention_jxl/encode.h"

namespace attention_jxl {

// "1.5", "2": a number as a user would type it, for error messages.
std::string format_number(double value);

// Throws Error(kInvalidArgument) for a distance, effort or thread count out of
// range, or a center_first center outside a width x height image.
void check_settings(const EncodeSettings& settings, size_t width, size_t height);

// Throws the Error matching libjxl's error code when status is a failure,
// naming the step that failed.
void check_encoder(JxlEncoder* encoder, JxlEncoderStatus status, const char* step);

// The frame settings cjxl 0.7 sets on every encode, with its default values
// and the effort, distance and group order of `settings` (frame_settings and
// threads are not applied here).
void apply_cjxl_defaults(JxlEncoder* encoder, JxlEncoderFrameSettings* frame,
                         const EncodeSettings& settings);

// `settings` as given to libjxl: the group order is left out with a
// progressive DC frame, where libjxl orders the DC frame's groups around the
// unscaled center and aborts (0.7) or fails (later) when that lies outside it.
EncodeSettings libjxl_settings(const EncodeSettings& settings, bool progressive_dc);

// The encoded file in the order asked for. libjxl 0.7 to 0.9 write the groups
// center-first themselves (without progressive DC); 0.10 and later do not for
// images over 2048 pixels at effort <= 7, where their chunked encoder ignores
// the order (libjxl#4328) and interleaves the LF groups with the pass groups.
// Where libjxl's order is not the one asked for, the file is reordered
// (reorder.h): center-first around settings' center (or the middle of the
// width x height image), or, without a center, scanline with the LF groups
// first.
std::vector<uint8_t> finish_group_order(std::vector<uint8_t> file, const EncodeSettings& settings,
                                        size_t width, size_t height);

// Runs the encoder to the end (after JxlEncoderCloseInput) and returns the file.
std::vector<uint8_t> drain_output(JxlEncoder* encoder);

}  // namespace attention_jxl

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

// Whether libjxl writes the groups center-first itself. 0.7 to 0.9 do, but
// not with a progressive DC frame: they order its groups around the unscaled
// center and abort when that lies outside it. 0.10 and later do not at all
// for images over 2048 pixels at effort <= 7: their chunked encoder ignores
// the order (libjxl#4328). Where this is false, encode in scanline order and
// reorder the file (finish_group_order).
bool libjxl_writes_center_first(bool progressive_dc);

// `settings` as given to libjxl: without the group order where libjxl would
// not honour it.
EncodeSettings libjxl_settings(const EncodeSettings& settings, bool progressive_dc);

// The encoded file, reordered center-first around settings' center (or the
// middle of a width x height image) where libjxl did not do it.
std::vector<uint8_t> finish_group_order(std::vector<uint8_t> file, const EncodeSettings& settings,
                                        bool progressive_dc, size_t width, size_t height);

// Runs the encoder to the end (after JxlEncoderCloseInput) and returns the file.
std::vector<uint8_t> drain_output(JxlEncoder* encoder);

}  // namespace attention_jxl

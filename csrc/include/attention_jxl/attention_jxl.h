/* attention_jxl C ABI (C99): predict where a person looks first in an image
 * and encode it as JPEG XL with the 256x256 groups around that point first in
 * the file. Usable from C, C++, cgo, Rust FFI and ctypes; the C++ API
 * (attention_jxl/attention_jxl.hpp) is its implementation.
 *
 * Status. Every function that can fail returns an ajxl_status; AJXL_OK is 0.
 * The message of the last failure is kept per thread
 * (ajxl_last_error_message) and, for calls given a model or encoder settings
 * handle, on that handle as well (ajxl_model_last_error,
 * ajxl_encoder_settings_last_error). On failure, out-parameters are left
 * zeroed (NULL pointers, zero sizes). No function aborts or throws on bad
 * input: NULL pointers, impossible sizes and strides, truncated or corrupt
 * data are statuses.
 *
 * Ownership. Memory the library returns through an out-parameter (encoded
 * bytes, decoded pixels, a saliency map's values, group origins) belongs to
 * the caller and is freed with ajxl_free. Handles are freed with their own
 * *_free function; passing NULL to any of these does nothing. Input buffers
 * are only read during the call and never kept.
 *
 * Thread safety. A model is safe to use from many threads at once (it keeps a
 * pool of compiled copies and lends one to each inference). Encoder settings
 * are plain values: share them read-only between threads, do not change them
 * while a call uses them. A thread pool serves one call at a time; concurrent
 * calls given the same pool take turns, so give each worker thread its own.
 * The pixel limit is process-wide. Everything else keeps no state.
 */
#ifndef ATTENTION_JXL_ATTENTION_JXL_H_
#define ATTENTION_JXL_ATTENTION_JXL_H_

#include <stddef.h>
#include <stdint.h>

#include "attention_jxl/export.h"
#include "attention_jxl/version.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  AJXL_OK = 0,
  AJXL_INVALID_ARGUMENT = 1, /* a NULL pointer, bad size, stride, setting or value */
  AJXL_NOT_FOUND = 2,        /* a file that does not exist (e.g. the model) */
  AJXL_UNSUPPORTED = 3,      /* valid input the library cannot handle */
  AJXL_CORRUPT_DATA = 4,     /* bytes that are not what they claim to be, or truncated */
  AJXL_TOO_LARGE = 5,        /* an image over the pixel limit */
  AJXL_OUT_OF_MEMORY = 6,
  AJXL_INTERNAL = 7 /* a library failed where it should not */
} ajxl_status;

typedef enum { AJXL_UINT8 = 0, AJXL_UINT16 = 1, AJXL_FLOAT32 = 2 } ajxl_sample_type;

/* Interleaved pixels: 1 = gray, 2 = gray+alpha, 3 = RGB, 4 = RGBA channels,
 * samples in native endianness (float nominally in [0, 1]), rows row_stride
 * bytes apart (at least width * channels * sample size; 0 means exactly
 * that). */
typedef struct {
  const void* pixels;
  size_t width;
  size_t height;
  size_t channels;
  ajxl_sample_type sample_type;
  size_t row_stride;
} ajxl_image;

/* Pixels the library decoded; free `pixels` with ajxl_free. Rows are packed
 * (row_stride = width * channels * sample size). */
typedef struct {
  void* pixels;
  size_t width;
  size_t height;
  size_t channels;
  ajxl_sample_type sample_type;
  size_t row_stride;
} ajxl_decoded_image;

typedef struct {
  long x;
  long y;
} ajxl_point;

/* Columns [x, x + width), rows [y, y + height) of an image. */
typedef struct {
  long x;
  long y;
  long width;
  long height;
} ajxl_box;

/* Where people look over the image's own area at model resolution: width *
 * height floats in [0, 1], row-major; free `values` with ajxl_free. */
typedef struct {
  float* values;
  size_t width;
  size_t height;
  ajxl_point center; /* the predicted center, in image pixels */
} ajxl_saliency_map;

/* The top-left pixel of a 256x256 group. */
typedef struct {
  uint64_t x;
  uint64_t y;
} ajxl_group_origin;

/* ---- Version, errors, memory ------------------------------------------ */

/* This library's version, e.g. "0.1.0", and as ATTENTION_JXL_VERSION_NUMBER
 * (major * 1000000 + minor * 1000 + patch); compare with the header's macros
 * to detect a mismatched library at run time. */
ATTENTION_JXL_EXPORT const char* ajxl_version(void);
ATTENTION_JXL_EXPORT uint32_t ajxl_version_number(void);
/* The libjxl version linked at run time, in the same numeric form. */
ATTENTION_JXL_EXPORT uint32_t ajxl_libjxl_version_number(void);
/* "AJXL_OK", "AJXL_INVALID_ARGUMENT", ...; "unknown status" otherwise. */
ATTENTION_JXL_EXPORT const char* ajxl_status_name(ajxl_status status);
/* The message of the last failed call on this thread ("" if none). Valid
 * until this thread's next call into the library. */
ATTENTION_JXL_EXPORT const char* ajxl_last_error_message(void);
/* Frees memory the library returned. */
ATTENTION_JXL_EXPORT void ajxl_free(void* memory);

/* ---- The pixel limit --------------------------------------------------- */

/* The largest image, in pixels, the library encodes, decodes or reads a
 * header of (process-wide; default 89,478,485, Pillow's; 0 = no limit).
 * Checked against declared sizes before any pixel memory is allocated. */
ATTENTION_JXL_EXPORT uint64_t ajxl_max_image_pixels(void);
ATTENTION_JXL_EXPORT void ajxl_set_max_image_pixels(uint64_t pixels);

/* ---- The model --------------------------------------------------------- */

typedef struct ajxl_model ajxl_model;

/* The environment variable naming a prepared model file, used when
 * ajxl_model_open is given no path. */
#define AJXL_MODEL_ENV "ATTENTION_JXL_PREPARED_MODEL"

/* Loads a prepared model (the published center.tflite as prepared by
 * `attention-jxl prepare-model`). `path` NULL looks in $AJXL_MODEL_ENV, then
 * in share/attention_jxl/ beside the installed library. `threads` is the CPU
 * threads one inference uses (>= 1). */
ATTENTION_JXL_EXPORT ajxl_status ajxl_model_open(const char* path, int threads,
                                                 ajxl_model** model);
ATTENTION_JXL_EXPORT void ajxl_model_free(ajxl_model* model);
/* The file the model was loaded from; owned by the model. */
ATTENTION_JXL_EXPORT const char* ajxl_model_path(const ajxl_model* model);
/* The message of the last failed call given this model, on any thread (""
 * if none); a copy valid until this thread's next call into the library. */
ATTENTION_JXL_EXPORT const char* ajxl_model_last_error(const ajxl_model* model);

/* ---- A thread pool ------------------------------------------------------ */

typedef struct ajxl_pool ajxl_pool;

/* libjxl worker threads kept across calls; `threads` 0 = one per core. */
ATTENTION_JXL_EXPORT ajxl_status ajxl_pool_create(int threads, ajxl_pool** pool);
ATTENTION_JXL_EXPORT void ajxl_pool_free(ajxl_pool* pool);

/* ---- Encoder settings -------------------------------------------------- */

typedef struct ajxl_encoder_settings ajxl_encoder_settings;

typedef enum {
  AJXL_CENTER_PREDICT = 0, /* predict the attention center with the model (default) */
  AJXL_CENTER_GIVEN = 1,   /* groups around the point set with ajxl_encoder_settings_set_center */
  AJXL_CENTER_NONE = 2     /* scanline group order */
} ajxl_center_mode;

/* Defaults: distance 1, effort 7, lossy, AJXL_CENTER_PREDICT, threads 0 (one
 * per core), no pool, no ICC profile (sRGB), orientation 1. */
ATTENTION_JXL_EXPORT ajxl_status ajxl_encoder_settings_create(ajxl_encoder_settings** settings);
ATTENTION_JXL_EXPORT void ajxl_encoder_settings_free(ajxl_encoder_settings* settings);
/* As ajxl_model_last_error, for the calls that changed these settings. */
ATTENTION_JXL_EXPORT const char* ajxl_encoder_settings_last_error(
    const ajxl_encoder_settings* settings);
/* Butteraugli distance 0 (mathematically lossless pixels) .. 25. */
ATTENTION_JXL_EXPORT ajxl_status ajxl_encoder_settings_set_distance(ajxl_encoder_settings* settings,
                                                                    float distance);
/* 1 (fastest) .. 9 (slowest). */
ATTENTION_JXL_EXPORT ajxl_status ajxl_encoder_settings_set_effort(ajxl_encoder_settings* settings,
                                                                  int effort);
/* Non-zero: lossless modular coding (distance 0). */
ATTENTION_JXL_EXPORT ajxl_status ajxl_encoder_settings_set_lossless(ajxl_encoder_settings* settings,
                                                                    int lossless);
/* The group order; x and y (stored pixels) are read for AJXL_CENTER_GIVEN. */
ATTENTION_JXL_EXPORT ajxl_status ajxl_encoder_settings_set_center(ajxl_encoder_settings* settings,
                                                                  ajxl_center_mode mode, long x,
                                                                  long y);
/* libjxl worker threads per call (0 = one per core, 1 = the calling thread). */
ATTENTION_JXL_EXPORT ajxl_status ajxl_encoder_settings_set_threads(ajxl_encoder_settings* settings,
                                                                   int threads);
/* Run on `pool` (NULL: threads of the call's own); the pool must outlive
 * the calls using these settings. */
ATTENTION_JXL_EXPORT ajxl_status ajxl_encoder_settings_set_pool(ajxl_encoder_settings* settings,
                                                                const ajxl_pool* pool);
/* The pixels' ICC profile, copied (size 0: sRGB). */
ATTENTION_JXL_EXPORT ajxl_status ajxl_encoder_settings_set_icc_profile(
    ajxl_encoder_settings* settings, const uint8_t* icc, size_t size);
/* EXIF orientation 1..8 recorded in the file; pixels and center stay stored. */
ATTENTION_JXL_EXPORT ajxl_status ajxl_encoder_settings_set_orientation(
    ajxl_encoder_settings* settings, int orientation);
/* A further libjxl frame setting by name (e.g. "progressive_dc", "modular"),
 * applied after the above in the order set. */
ATTENTION_JXL_EXPORT ajxl_status ajxl_encoder_settings_set_frame_setting(
    ajxl_encoder_settings* settings, const char* name, double value);

/* ---- Center, saliency, crop -------------------------------------------- */

/* The attention center of `image`, in its stored pixels; with an EXIF
 * orientation 1..8 the model sees the image upright. */
ATTENTION_JXL_EXPORT ajxl_status ajxl_center(ajxl_model* model, const ajxl_image* image,
                                             int orientation, ajxl_point* center);
/* The center of a JPEG (its Exif orientation applied), in stored pixels. */
ATTENTION_JXL_EXPORT ajxl_status ajxl_jpeg_center(ajxl_model* model, const uint8_t* jpeg,
                                                  size_t size, ajxl_point* center);
/* The saliency map and the center from one inference. */
ATTENTION_JXL_EXPORT ajxl_status ajxl_saliency(ajxl_model* model, const ajxl_image* image,
                                               int orientation, ajxl_saliency_map* map);
/* The crop_width x crop_height window of an image_width x image_height image
 * with the most saliency. */
ATTENTION_JXL_EXPORT ajxl_status ajxl_crop_box(const ajxl_saliency_map* map, size_t image_width,
                                               size_t image_height, size_t crop_width,
                                               size_t crop_height, ajxl_box* box);
/* The largest window of aspect ratio `aspect` (width / height), placed as
 * ajxl_crop_box places it. */
ATTENTION_JXL_EXPORT ajxl_status ajxl_crop_box_for_aspect(const ajxl_saliency_map* map,
                                                          size_t image_width, size_t image_height,
                                                          double aspect, ajxl_box* box);

/* ---- Encode, transcode, reorder ---------------------------------------- */

/* Encodes `image` as JPEG XL. `model` is needed for AJXL_CENTER_PREDICT and
 * may be NULL otherwise; `settings` NULL means the defaults. On success
 * *data (free with ajxl_free) holds *size bytes. */
ATTENTION_JXL_EXPORT ajxl_status ajxl_encode(ajxl_model* model,
                                             const ajxl_encoder_settings* settings,
                                             const ajxl_image* image, uint8_t** data,
                                             size_t* size);
/* Recompresses a JPEG losslessly (reconstructible byte for byte), with the
 * settings' effort, threads, pool and center mode (distance, lossless, ICC,
 * orientation and frame settings do not apply). */
ATTENTION_JXL_EXPORT ajxl_status ajxl_transcode_jpeg(ajxl_model* model,
                                                     const ajxl_encoder_settings* settings,
                                                     const uint8_t* jpeg, size_t jpeg_size,
                                                     uint8_t** data, size_t* size);
/* Rewrites a JPEG XL file center-first without re-encoding it. `center` in
 * displayed pixels; NULL predicts it from the decoded image with `model`. */
ATTENTION_JXL_EXPORT ajxl_status ajxl_reorder(ajxl_model* model, const uint8_t* jxl,
                                              size_t jxl_size, const ajxl_point* center,
                                              uint8_t** data, size_t* size);
/* Rewrites a JPEG XL file into scanline group order. */
ATTENTION_JXL_EXPORT ajxl_status ajxl_reorder_scanline(const uint8_t* jxl, size_t jxl_size,
                                                       uint8_t** data, size_t* size);

/* ---- Decode and inspect -------------------------------------------------- */

typedef enum {
  AJXL_DECODE_FULL = 0,   /* the complete file */
  AJXL_DECODE_PARTIAL = 1 /* any prefix: what a progressive viewer shows of it */
} ajxl_decode_mode;

/* Decodes to the pixels as encoded (uint8 up to 8 bits, uint16 up to 16,
 * float32 for float samples). `pool` NULL uses threads of its own. */
ATTENTION_JXL_EXPORT ajxl_status ajxl_decode(const uint8_t* jxl, size_t jxl_size,
                                             ajxl_decode_mode mode, const ajxl_pool* pool,
                                             ajxl_decoded_image* image);
/* The 256x256 groups in file order (dc_level 0) or those of a progressive DC
 * frame (1 = 1:8, 2 = 1:64, ...). *origins (free with ajxl_free) holds
 * *count entries. Reads headers only. */
ATTENTION_JXL_EXPORT ajxl_status ajxl_group_order(const uint8_t* jxl, size_t jxl_size,
                                                  int dc_level, ajxl_group_origin** origins,
                                                  size_t* count);

#ifdef __cplusplus
}
#endif

#endif /* ATTENTION_JXL_ATTENTION_JXL_H_ */

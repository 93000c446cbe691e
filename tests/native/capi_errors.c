/* Bad input through the C ABI: every call returns a status and a message,
 * never crashes, and leaves its out-parameters zeroed. Exits with the number
 * of failed checks. Uses the installed model. */
#include <attention_jxl/attention_jxl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

#define CHECK(condition)                                                    \
  do {                                                                      \
    if (!(condition)) {                                                     \
      fprintf(stderr, "line %d: failed: %s (last error: %s)\n", __LINE__,   \
              #condition, ajxl_last_error_message());                       \
      ++failures;                                                           \
    }                                                                       \
  } while (0)

/* `call` returns `expected` and leaves a message that mentions `word`. */
#define EXPECT(expected, word, call)                                          \
  do {                                                                        \
    ajxl_status status_ = (call);                                             \
    if (status_ != (expected) || strstr(ajxl_last_error_message(), word) == NULL) { \
      fprintf(stderr, "line %d: %s gave %s '%s', expected %s mentioning '%s'\n", \
              __LINE__, #call, ajxl_status_name(status_),                     \
              ajxl_last_error_message(), #expected, word);                    \
      ++failures;                                                             \
    }                                                                         \
  } while (0)

int main(void) {
  enum { W = 300, H = 200 };
  static uint8_t rgb[W * H * 3];
  for (size_t i = 0; i < sizeof(rgb); ++i) rgb[i] = (uint8_t)((i * 7) ^ (i / 911));
  const ajxl_image image = {rgb, W, H, 3, AJXL_UINT8, 0};
  ajxl_point center = {1, 1};
  uint8_t* data = (uint8_t*)&center; /* must come back NULL on failure */
  size_t size = 99;

  CHECK(ajxl_version_number() == ATTENTION_JXL_VERSION_NUMBER);
  CHECK(strcmp(ajxl_version(), ATTENTION_JXL_VERSION_STRING) == 0);
  CHECK(ajxl_libjxl_version_number() >= 7000);
  CHECK(strcmp(ajxl_status_name(AJXL_TOO_LARGE), "AJXL_TOO_LARGE") == 0);
  CHECK(strcmp(ajxl_status_name((ajxl_status)99), "unknown status") == 0);
  ajxl_free(NULL);
  ajxl_model_free(NULL);
  ajxl_pool_free(NULL);
  ajxl_encoder_settings_free(NULL);

  /* The model. */
  ajxl_model* model = (ajxl_model*)&center;
  EXPECT(AJXL_NOT_FOUND, "/no/such/model.tflite", ajxl_model_open("/no/such/model.tflite", 1, &model));
  CHECK(model == NULL);
  EXPECT(AJXL_INVALID_ARGUMENT, "threads", ajxl_model_open(NULL, 0, &model));
  EXPECT(AJXL_INVALID_ARGUMENT, "model is NULL", ajxl_model_open(NULL, 1, NULL));
  EXPECT(AJXL_OK, "", ajxl_model_open(NULL, 1, &model));
  CHECK(model != NULL && strstr(ajxl_model_path(model), "share/attention_jxl/") != NULL);

  /* Images. */
  EXPECT(AJXL_INVALID_ARGUMENT, "image is NULL", ajxl_center(model, NULL, 1, &center));
  CHECK(center.x == 0 && center.y == 0);
  CHECK(strstr(ajxl_model_last_error(model), "image is NULL") != NULL);
  ajxl_image bad = image;
  bad.pixels = NULL;
  EXPECT(AJXL_INVALID_ARGUMENT, "pixels is NULL", ajxl_center(model, &bad, 1, &center));
  bad = image;
  bad.row_stride = W * 3 - 1;
  EXPECT(AJXL_INVALID_ARGUMENT, "stride", ajxl_center(model, &bad, 1, &center));
  bad = image;
  bad.channels = 5;
  EXPECT(AJXL_INVALID_ARGUMENT, "channel", ajxl_center(model, &bad, 1, &center));
  bad = image;
  bad.sample_type = (ajxl_sample_type)7;
  EXPECT(AJXL_INVALID_ARGUMENT, "sample_type", ajxl_center(model, &bad, 1, &center));
  bad = image;
  bad.width = 0;
  EXPECT(AJXL_INVALID_ARGUMENT, "", ajxl_center(model, &bad, 1, &center));
  EXPECT(AJXL_INVALID_ARGUMENT, "orientation", ajxl_center(model, &image, 9, &center));
  EXPECT(AJXL_INVALID_ARGUMENT, "model is NULL", ajxl_center(NULL, &image, 1, &center));
  const uint64_t limit = ajxl_max_image_pixels();
  ajxl_set_max_image_pixels(W * H - 1);
  EXPECT(AJXL_TOO_LARGE, "limit", ajxl_center(model, &image, 1, &center));
  ajxl_set_max_image_pixels(limit);
  EXPECT(AJXL_OK, "", ajxl_center(model, &image, 1, &center));
  CHECK(center.x >= 0 && center.x < W && center.y >= 0 && center.y < H);

  /* Settings and encoding. */
  ajxl_encoder_settings* settings = NULL;
  EXPECT(AJXL_INVALID_ARGUMENT, "settings is NULL", ajxl_encoder_settings_create(NULL));
  EXPECT(AJXL_OK, "", ajxl_encoder_settings_create(&settings));
  EXPECT(AJXL_INVALID_ARGUMENT, "center mode",
         ajxl_encoder_settings_set_center(settings, (ajxl_center_mode)9, 0, 0));
  EXPECT(AJXL_INVALID_ARGUMENT, ">= 0",
         ajxl_encoder_settings_set_center(settings, AJXL_CENTER_GIVEN, -1, 5));
  CHECK(strstr(ajxl_encoder_settings_last_error(settings), ">= 0") != NULL);
  EXPECT(AJXL_INVALID_ARGUMENT, "orientation", ajxl_encoder_settings_set_orientation(settings, 0));
  EXPECT(AJXL_INVALID_ARGUMENT, "threads", ajxl_encoder_settings_set_threads(settings, -2));
  EXPECT(AJXL_INVALID_ARGUMENT, "no_such_setting",
         ajxl_encoder_settings_set_frame_setting(settings, "no_such_setting", 1));
  EXPECT(AJXL_INVALID_ARGUMENT, "name is NULL",
         ajxl_encoder_settings_set_frame_setting(settings, NULL, 1));
  EXPECT(AJXL_INVALID_ARGUMENT, "icc is NULL",
         ajxl_encoder_settings_set_icc_profile(settings, NULL, 5));
  EXPECT(AJXL_INVALID_ARGUMENT, "settings is NULL", ajxl_encoder_settings_set_effort(NULL, 3));
  EXPECT(AJXL_INVALID_ARGUMENT, "data is NULL", ajxl_encode(model, settings, &image, NULL, &size));
  EXPECT(AJXL_INVALID_ARGUMENT, "model is NULL", ajxl_encode(NULL, settings, &image, &data, &size));
  CHECK(data == NULL && size == 0);
  EXPECT(AJXL_OK, "", ajxl_encoder_settings_set_effort(settings, 0));
  EXPECT(AJXL_INVALID_ARGUMENT, "effort", ajxl_encode(model, settings, &image, &data, &size));
  EXPECT(AJXL_OK, "", ajxl_encoder_settings_set_effort(settings, 3));
  EXPECT(AJXL_OK, "", ajxl_encoder_settings_set_distance(settings, 99));
  EXPECT(AJXL_INVALID_ARGUMENT, "distance", ajxl_encode(model, settings, &image, &data, &size));
  EXPECT(AJXL_OK, "", ajxl_encoder_settings_set_distance(settings, 1));

  ajxl_pool* pool = NULL;
  EXPECT(AJXL_INVALID_ARGUMENT, "threads", ajxl_pool_create(-1, &pool));
  CHECK(pool == NULL);
  EXPECT(AJXL_OK, "", ajxl_pool_create(2, &pool));
  EXPECT(AJXL_OK, "", ajxl_encoder_settings_set_pool(settings, pool));
  EXPECT(AJXL_OK, "", ajxl_encoder_settings_set_center(settings, AJXL_CENTER_NONE, 0, 0));
  uint8_t* jxl = NULL;
  size_t jxl_size = 0;
  EXPECT(AJXL_OK, "", ajxl_encode(NULL, settings, &image, &jxl, &jxl_size));
  CHECK(jxl != NULL && jxl_size > 100);

  /* 16-bit samples in padded rows and float samples survive a lossless round trip. */
  {
    enum { SW = 40, SH = 30, PAD = 6 };
    static uint16_t wide[SH][SW * 2 + PAD];
    static float floats[SH * SW];
    for (int y = 0; y < SH; ++y) {
      for (int x = 0; x < SW * 2; ++x) wide[y][x] = (uint16_t)(x * 1543 + y * 7919);
    }
    for (int i = 0; i < SH * SW; ++i) floats[i] = (float)(i % 97) / 96.0f;
    const ajxl_image padded = {wide, SW, SH, 2, AJXL_UINT16, sizeof(wide[0])};
    const ajxl_image gray_float = {floats, SW, SH, 1, AJXL_FLOAT32, 0};
    ajxl_encoder_settings* exact = NULL;
    ajxl_decoded_image back;
    CHECK(ajxl_encoder_settings_create(&exact) == AJXL_OK);
    CHECK(ajxl_encoder_settings_set_lossless(exact, 1) == AJXL_OK);
    CHECK(ajxl_encoder_settings_set_center(exact, AJXL_CENTER_GIVEN, 5, 5) == AJXL_OK);
    EXPECT(AJXL_OK, "", ajxl_encode(NULL, exact, &padded, &data, &size));
    EXPECT(AJXL_OK, "", ajxl_decode(data, size, AJXL_DECODE_FULL, NULL, &back));
    CHECK(back.sample_type == AJXL_UINT16 && back.channels == 2 && back.width == SW);
    int same = back.pixels != NULL;
    for (int y = 0; same && y < SH; ++y) {
      same = memcmp((const uint8_t*)back.pixels + y * back.row_stride, wide[y], SW * 4) == 0;
    }
    CHECK(same);
    ajxl_free(back.pixels);
    ajxl_free(data);
    EXPECT(AJXL_OK, "", ajxl_encode(NULL, exact, &gray_float, &data, &size));
    EXPECT(AJXL_OK, "", ajxl_decode(data, size, AJXL_DECODE_FULL, NULL, &back));
    CHECK(back.sample_type == AJXL_FLOAT32 && back.channels == 1 &&
          back.pixels != NULL && memcmp(back.pixels, floats, sizeof(floats)) == 0);
    ajxl_free(back.pixels);
    ajxl_free(data);
    ajxl_encoder_settings_free(exact);
  }

  /* Decoding, group order and reordering of bad and truncated files. */
  static const uint8_t garbage[] = "this is not a JPEG XL file at all";
  ajxl_decoded_image decoded;
  memset(&decoded, 0xff, sizeof(decoded));
  EXPECT(AJXL_INVALID_ARGUMENT, "jxl is NULL", ajxl_decode(NULL, 5, AJXL_DECODE_FULL, NULL, &decoded));
  CHECK(decoded.pixels == NULL && decoded.width == 0);
  EXPECT(AJXL_CORRUPT_DATA, "", ajxl_decode(garbage, sizeof(garbage), AJXL_DECODE_FULL, NULL, &decoded));
  EXPECT(AJXL_CORRUPT_DATA, "", ajxl_decode(jxl, jxl_size / 2, AJXL_DECODE_FULL, pool, &decoded));
  EXPECT(AJXL_CORRUPT_DATA, "", ajxl_decode(jxl, 12, AJXL_DECODE_PARTIAL, NULL, &decoded));
  EXPECT(AJXL_INVALID_ARGUMENT, "mode", ajxl_decode(jxl, jxl_size, (ajxl_decode_mode)4, NULL, &decoded));
  EXPECT(AJXL_OK, "", ajxl_decode(jxl, jxl_size, AJXL_DECODE_FULL, pool, &decoded));
  CHECK(decoded.width == W && decoded.height == H && decoded.channels == 3 &&
        decoded.sample_type == AJXL_UINT8 && decoded.row_stride == W * 3);
  ajxl_free(decoded.pixels);
  EXPECT(AJXL_OK, "", ajxl_decode(jxl, jxl_size * 9 / 10, AJXL_DECODE_PARTIAL, NULL, &decoded));
  ajxl_free(decoded.pixels);

  ajxl_group_origin* origins = NULL;
  size_t count = 7;
  EXPECT(AJXL_CORRUPT_DATA, "", ajxl_group_order(garbage, sizeof(garbage), 0, &origins, &count));
  CHECK(origins == NULL && count == 0);
  EXPECT(AJXL_INVALID_ARGUMENT, "", ajxl_group_order(jxl, jxl_size, 2, &origins, &count));
  EXPECT(AJXL_OK, "", ajxl_group_order(jxl, jxl_size, 0, &origins, &count));
  CHECK(count == 2 && origins[0].x == 0 && origins[1].x == 256);
  ajxl_free(origins);

  const ajxl_point given = {290, 10};
  const ajxl_point negative = {-3, 10};
  EXPECT(AJXL_CORRUPT_DATA, "", ajxl_reorder(NULL, garbage, sizeof(garbage), &given, &data, &size));
  EXPECT(AJXL_CORRUPT_DATA, "", ajxl_reorder(NULL, jxl, jxl_size - 1, &given, &data, &size));
  EXPECT(AJXL_INVALID_ARGUMENT, "model is NULL", ajxl_reorder(NULL, jxl, jxl_size, NULL, &data, &size));
  EXPECT(AJXL_INVALID_ARGUMENT, ">= 0", ajxl_reorder(NULL, jxl, jxl_size, &negative, &data, &size));
  EXPECT(AJXL_CORRUPT_DATA, "", ajxl_reorder_scanline(jxl, 20, &data, &size));
  CHECK(data == NULL && size == 0);
  EXPECT(AJXL_OK, "", ajxl_reorder(NULL, jxl, jxl_size, &given, &data, &size));
  CHECK(data != NULL && size > jxl_size / 2);
  EXPECT(AJXL_OK, "", ajxl_group_order(data, size, 0, &origins, &count));
  CHECK(count == 2 && origins[0].x == 256);
  ajxl_free(origins);
  ajxl_free(data);

  /* JPEG transcoding of non-JPEG bytes. */
  EXPECT(AJXL_INVALID_ARGUMENT, "jpeg is NULL", ajxl_transcode_jpeg(NULL, settings, NULL, 4, &data, &size));
  EXPECT(AJXL_CORRUPT_DATA, "", ajxl_transcode_jpeg(NULL, settings, garbage, sizeof(garbage), &data, &size));
  EXPECT(AJXL_CORRUPT_DATA, "", ajxl_jpeg_center(model, garbage, sizeof(garbage), &center));

  /* Saliency and crops. */
  ajxl_saliency_map map;
  ajxl_box box = {1, 2, 3, 4};
  EXPECT(AJXL_INVALID_ARGUMENT, "map is NULL", ajxl_crop_box(NULL, W, H, 10, 10, &box));
  CHECK(box.width == 0);
  EXPECT(AJXL_OK, "", ajxl_saliency(model, &image, 1, &map));
  CHECK(map.values != NULL && map.width == 640 && map.height == 427);
  EXPECT(AJXL_INVALID_ARGUMENT, "", ajxl_crop_box(&map, W, H, W + 1, 10, &box));
  EXPECT(AJXL_INVALID_ARGUMENT, "aspect", ajxl_crop_box_for_aspect(&map, W, H, -1.0, &box));
  EXPECT(AJXL_OK, "", ajxl_crop_box(&map, W, H, 100, 100, &box));
  CHECK(box.width == 100 && box.height == 100 && box.x >= 0 && box.x + 100 <= W);
  ajxl_free(map.values);

  ajxl_free(jxl);
  ajxl_encoder_settings_free(settings);
  ajxl_pool_free(pool);
  ajxl_model_free(model);
  if (failures == 0) printf("all checks passed\n");
  return failures;
}

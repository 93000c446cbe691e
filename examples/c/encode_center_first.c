/* Encodes raw 8-bit RGB pixels as a center-first JPEG XL through the C ABI.
 *
 *   encode_center_first PIXELS.rgb WIDTH HEIGHT OUTPUT.jxl
 *
 * Build against an installed attention_jxl:
 *   cc encode_center_first.c $(pkg-config --cflags --libs attention_jxl)
 */
#include <attention_jxl/attention_jxl.h>

#include <stdio.h>
#include <stdlib.h>

static unsigned char* read_all(const char* path, size_t* size) {
  FILE* file = fopen(path, "rb");
  if (file == NULL) return NULL;
  fseek(file, 0, SEEK_END);
  long length = ftell(file);
  fseek(file, 0, SEEK_SET);
  unsigned char* data = length > 0 ? malloc((size_t)length) : NULL;
  if (data != NULL && fread(data, 1, (size_t)length, file) != (size_t)length) {
    free(data);
    data = NULL;
  }
  fclose(file);
  *size = data != NULL ? (size_t)length : 0;
  return data;
}

int main(int argc, char** argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s PIXELS.rgb WIDTH HEIGHT OUTPUT.jxl\n", argv[0]);
    return 2;
  }
  size_t size = 0;
  unsigned char* pixels = read_all(argv[1], &size);
  if (pixels == NULL) {
    fprintf(stderr, "error: cannot read %s\n", argv[1]);
    return 1;
  }
  ajxl_image image = {pixels, strtoul(argv[2], NULL, 10), strtoul(argv[3], NULL, 10), 3,
                      AJXL_UINT8, 0};
  if (size < image.width * image.height * 3) {
    fprintf(stderr, "error: %s holds %zu bytes, fewer than %zux%zu RGB pixels\n", argv[1], size,
            image.width, image.height);
    free(pixels);
    return 1;
  }

  ajxl_model* model = NULL;
  ajxl_encoder_settings* settings = NULL;
  ajxl_point center = {0, 0};
  uint8_t* encoded = NULL;
  size_t encoded_size = 0;
  ajxl_status status = ajxl_model_open(NULL, 1, &model); /* the installed model */
  if (status == AJXL_OK) status = ajxl_center(model, &image, 1, &center);
  if (status == AJXL_OK) status = ajxl_encoder_settings_create(&settings);
  if (status == AJXL_OK) {
    status = ajxl_encoder_settings_set_center(settings, AJXL_CENTER_GIVEN, center.x, center.y);
  }
  if (status == AJXL_OK) status = ajxl_encode(model, settings, &image, &encoded, &encoded_size);
  if (status != AJXL_OK) {
    fprintf(stderr, "error: %s: %s\n", ajxl_status_name(status), ajxl_last_error_message());
  } else {
    FILE* out = fopen(argv[4], "wb");
    if (out == NULL || fwrite(encoded, 1, encoded_size, out) != encoded_size) status = AJXL_INTERNAL;
    if (out != NULL) fclose(out);
    printf("center %ld %ld\nwrote %zu bytes (attention_jxl %s)\n", center.x, center.y,
           encoded_size, ajxl_version());
  }
  ajxl_free(encoded);
  ajxl_encoder_settings_free(settings);
  ajxl_model_free(model);
  free(pixels);
  return status == AJXL_OK ? 0 : 1;
}

/* One model shared by four threads: each predicts centers of its own images
 * and makes failing calls in between; every answer must equal the serial one
 * and every failure must report its own message. Exits with the number of
 * mismatches. */
#include <attention_jxl/attention_jxl.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

enum { THREADS = 4, CALLS = 12, IMAGES = 3, W = 320, H = 240 };

static uint8_t pixels[IMAGES][W * H * 3];
static ajxl_point expected[IMAGES];
static ajxl_model* model;

static void* work(void* arg) {
  long mismatches = 0;
  const int first = (int)(long)arg;
  for (int call = 0; call < CALLS; ++call) {
    const int which = (first + call) % IMAGES;
    const ajxl_image image = {pixels[which], W, H, 3, AJXL_UINT8, 0};
    ajxl_point center;
    if (ajxl_center(model, &image, 1, &center) != AJXL_OK || center.x != expected[which].x ||
        center.y != expected[which].y) {
      ++mismatches;
    }
    const ajxl_image bad = {pixels[which], W, H, 3, AJXL_UINT8, W};  /* stride < a row */
    if (ajxl_center(model, &bad, 1, &center) != AJXL_INVALID_ARGUMENT ||
        strstr(ajxl_last_error_message(), "stride") == NULL ||
        strstr(ajxl_model_last_error(model), "stride") == NULL) {
      ++mismatches;
    }
  }
  return (void*)mismatches;
}

int main(void) {
  for (int i = 0; i < IMAGES; ++i) {
    for (int p = 0; p < W * H * 3; ++p) pixels[i][p] = (uint8_t)((p % (W * 3)) * (i + 1) + p / (W * 3) * 3);
  }
  if (ajxl_model_open(NULL, 1, &model) != AJXL_OK) {
    fprintf(stderr, "model: %s\n", ajxl_last_error_message());
    return 100;
  }
  for (int i = 0; i < IMAGES; ++i) {
    const ajxl_image image = {pixels[i], W, H, 3, AJXL_UINT8, 0};
    ajxl_center(model, &image, 1, &expected[i]);
  }
  pthread_t threads[THREADS];
  for (long t = 0; t < THREADS; ++t) pthread_create(&threads[t], NULL, work, (void*)t);
  long mismatches = 0;
  for (int t = 0; t < THREADS; ++t) {
    void* result = NULL;
    pthread_join(threads[t], &result);
    mismatches += (long)result;
  }
  ajxl_model_free(model);
  printf("%d calls, %ld mismatches\n", THREADS * CALLS * 2, mismatches);
  return (int)mismatches;
}

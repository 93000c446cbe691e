// The attention center model (center.tflite) run through the LiteRT C API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace attention_jxl {

// The model's raw output: the predicted point in model input pixels.
struct ModelPoint {
  float x = 0;
  float y = 0;
};

// A loaded model. Thread-safe: LiteRT's compiled models are not, so the Model
// keeps a pool of them and each concurrent infer() call borrows its own.
class Model {
 public:
  static constexpr size_t kInputWidth = 640;
  static constexpr size_t kInputHeight = 480;

  // Loads a .tflite file. `threads` is the CPU threads one inference uses.
  // Throws Error(kNotFound) for a missing file, Error(kUnsupported) for a file
  // that is not a compatible model.
  explicit Model(const std::string& path, int threads = 1);
  // Same, from bytes in memory (copied).
  Model(const uint8_t* data, size_t size, int threads = 1);
  ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  // `input` is kInputHeight * kInputWidth * 3 floats, HWC RGB in [0, 1].
  ModelPoint infer(const float* input) const;

  const std::string& path() const;
  int threads() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace attention_jxl

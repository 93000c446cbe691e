// The attention center model run through the LiteRT C API.
//
// Only prepared models load (see attention_jxl.prepare_model in Python or
// `attention-jxl prepare-model`): the published center.tflite rewritten for
// speed, without its unused string input, with the saliency map as a second
// output and a preparation record in its metadata. Model files are trusted
// configuration, like a shared library: a damaged file is refused when LiteRT
// cannot read it, but the graph is not defended against a hostile author.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "attention_jxl/export.h"

namespace attention_jxl {

// The model's raw output: the predicted point in model input pixels.
struct ModelPoint {
  float x = 0;
  float y = 0;
};

// A loaded model. Thread-safe: LiteRT's compiled models are not, so the Model
// keeps a pool of them and each concurrent infer() call borrows its own.
class ATTENTION_JXL_EXPORT Model {
 public:
  static constexpr size_t kInputWidth = 640;
  static constexpr size_t kInputHeight = 480;
  // The saliency map covers the model input, one float per input pixel.
  static constexpr size_t kSaliencyFloats = kInputWidth * kInputHeight;
  // Metadata entry holding a prepared model's preparation record (JSON).
  static constexpr const char* kPreparationKey = "attention_jxl";

  // Loads a prepared .tflite file. `threads` is the CPU threads one inference
  // uses. Throws Error(kNotFound) for a missing file, Error(kUnsupported) for
  // a file that is not a prepared model (naming what is missing).
  explicit Model(const std::string& path, int threads = 1);
  // Same, from bytes in memory (copied).
  Model(const uint8_t* data, size_t size, int threads = 1);
  ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  // `input` is kInputHeight * kInputWidth * 3 floats, HWC RGB in [0, 1].
  ModelPoint infer(const float* input) const;
  // Same, and writes the saliency map (kSaliencyFloats floats in [0, 1],
  // row-major over the model input) to `saliency`.
  ModelPoint infer(const float* input, float* saliency) const;

  const std::string& path() const;
  int threads() const;
  // The preparation record stored in the model's metadata (JSON text).
  const std::string& preparation() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The prepared model installed with the library (`cmake --install`): the file
// named by $ATTENTION_JXL_PREPARED_MODEL (AJXL_MODEL_ENV in the C ABI) when
// set, else share/attention_jxl/ beside the lib folder holding the library.
// Throws Error(kNotFound) naming where it looked.
ATTENTION_JXL_EXPORT std::string installed_model_path();

}  // namespace attention_jxl

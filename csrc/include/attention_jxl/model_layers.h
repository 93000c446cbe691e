// Named intermediate activations of the attention model.
//
// A prepared model may carry extra outputs after `center` and `saliency`
// (attention_jxl.prepare_model(..., extra_outputs=[...])): intermediate
// tensors of the network, such as its backbone stages. A LayerModel runs
// such a model and returns every output by name, for studies that compare the
// model's internal representation of images (embeddings).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "attention_jxl/export.h"

namespace attention_jxl {

// One output of the model: its signature name, dimensions and values
// (row-major float32).
struct NamedTensor {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> values;
};

// A loaded prepared model run for all of its outputs. Thread-safe: concurrent
// run() calls take turns on one compiled copy (use one LayerModel per thread
// to run in parallel).
class ATTENTION_JXL_EXPORT LayerModel {
 public:
  // Loads a prepared .tflite file. Throws Error(kNotFound) for a missing file
  // and Error(kUnsupported) for a file LiteRT cannot read or run.
  explicit LayerModel(const std::string& path, int threads = 1);
  ~LayerModel();
  LayerModel(const LayerModel&) = delete;
  LayerModel& operator=(const LayerModel&) = delete;

  // `input` is 480 * 640 * 3 floats, HWC RGB in [0, 1], as Model::infer takes.
  // Returns the outputs in the model's signature order.
  std::vector<NamedTensor> run(const float* input) const;

  // The output names, in signature order.
  const std::vector<std::string>& names() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace attention_jxl

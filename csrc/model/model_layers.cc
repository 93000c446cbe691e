// Runs a prepared model and reads back every output with its name and shape.
//
// The lifetime rules of model.cc apply: the model bytes outlive the
// LiteRtModel, which with the environment outlives the compiled copy.

#include "attention_jxl/model_layers.h"

#include <mutex>
#include <utility>

#include "attention_jxl/error.h"
#include "attention_jxl/model.h"
#include "model/aligned_buffer.h"
#include "model/compiled_copy.h"
#include "model/litert_handle.h"
#include "model/model_file.h"

namespace attention_jxl {

struct LayerModel::Impl {
  std::string path;
  std::vector<std::string> names;
  // Destroyed in reverse order: the copy, the model, its bytes, the environment.
  internal::EnvironmentHandle environment;
  internal::AlignedBuffer model_bytes;
  internal::ModelHandle model;
  std::unique_ptr<internal::CompiledCopy> copy;
  std::mutex run_mutex;  // a compiled copy must not run on two threads at once

  [[noreturn]] void Fail(const std::string& reason) const {
    throw Error(ErrorCode::kUnsupported, path + " is not a usable model: " + reason);
  }

  void ReadNames() {
    LiteRtParamIndex signatures = 0;
    LiteRtSignature signature = nullptr;
    LiteRtParamIndex outputs = 0;
    if (LiteRtGetNumModelSignatures(model.get(), &signatures) != kLiteRtStatusOk ||
        signatures < 1 ||
        LiteRtGetModelSignature(model.get(), 0, &signature) != kLiteRtStatusOk ||
        LiteRtGetNumSignatureOutputs(signature, &outputs) != kLiteRtStatusOk) {
      Fail("LiteRT cannot list its outputs");
    }
    for (LiteRtParamIndex i = 0; i < outputs; ++i) {
      const char* name = nullptr;
      if (LiteRtGetSignatureOutputName(signature, i, &name) != kLiteRtStatusOk ||
          name == nullptr) {
        Fail("output " + std::to_string(i) + " has no name");
      }
      names.emplace_back(name);
    }
  }
};

LayerModel::LayerModel(const std::string& path, int threads) : impl_(new Impl) {
  if (threads < 1) {
    throw Error(ErrorCode::kInvalidArgument,
                "threads must be at least 1, got " + std::to_string(threads));
  }
  Impl& impl = *impl_;
  impl.path = path;
  impl.model_bytes = internal::ReadModelFile(path);
  impl.environment = internal::CreateQuietEnvironment();
  const LiteRtStatus status = LiteRtCreateModelFromBuffer(
      impl.environment.get(), impl.model_bytes.data(), impl.model_bytes.size(), impl.model.out());
  if (status != kLiteRtStatusOk) {
    impl.Fail("LiteRT cannot read it as a TFLite model (" + internal::StatusName(status) + ")");
  }
  impl.ReadNames();
  try {
    impl.copy.reset(new internal::CompiledCopy(impl.environment.get(), impl.model.get(), threads,
                                               impl.names.size()));
  } catch (const Error& error) {
    impl.Fail(error.what());
  }
  constexpr size_t kInputBytes = Model::kInputHeight * Model::kInputWidth * 3 * sizeof(float);
  if (impl.copy->input_bytes() != kInputBytes) {
    impl.Fail("its input takes " + std::to_string(impl.copy->input_bytes()) +
              " bytes, expected a 480x640x3 float image (" + std::to_string(kInputBytes) + ")");
  }
}

LayerModel::~LayerModel() = default;

std::vector<NamedTensor> LayerModel::run(const float* input) const {
  if (input == nullptr) throw Error(ErrorCode::kInvalidArgument, "model input is null");
  Impl& impl = *impl_;
  std::lock_guard<std::mutex> lock(impl.run_mutex);
  impl.copy->WriteInput(input);
  internal::CheckLiteRt(impl.copy->Run(), ErrorCode::kInternal, "LiteRT inference failed");
  std::vector<NamedTensor> result(impl.names.size());
  for (size_t i = 0; i < impl.names.size(); ++i) {
    result[i].name = impl.names[i];
    result[i].shape = impl.copy->output_shape(i);
    result[i].values.resize(impl.copy->output_bytes(i) / sizeof(float));
    impl.copy->ReadOutput(i, result[i].values.data());
  }
  return result;
}

const std::vector<std::string>& LayerModel::names() const { return impl_->names; }

}  // namespace attention_jxl

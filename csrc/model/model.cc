// Loads a prepared model into LiteRT and runs it from a pool of compiled
// copies.
//
// Lifetime rules that shape this file (LiteRT 2.x C API):
// - LiteRtCreateModelFromBuffer does not copy: the model bytes must outlive
//   the LiteRtModel, and the LiteRtModel and the environment must outlive
//   every compiled model made from them.
// - A compiled model may not run on two threads at once, hence the pool.

#include "attention_jxl/model.h"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "attention_jxl/error.h"
#include "model/aligned_buffer.h"
#include "model/compiled_copy.h"
#include "model/litert_handle.h"
#include "model/model_file.h"

namespace attention_jxl {
namespace {

using internal::AlignedBuffer;
using internal::CheckLiteRt;
using internal::CompiledCopy;
using internal::StatusName;

constexpr size_t kInputBytes = Model::kInputHeight * Model::kInputWidth * 3 * sizeof(float);
constexpr size_t kCenterBytes = 2 * sizeof(float);
constexpr size_t kSaliencyBytes = Model::kSaliencyFloats * sizeof(float);
// The outputs a prepared model starts with, in this order.
constexpr const char* kOutputNames[] = {"center", "saliency"};
constexpr size_t kCenterOutput = 0;
constexpr size_t kSaliencyOutput = 1;

void CheckThreads(int threads) {
  if (threads < 1) {
    throw Error(ErrorCode::kInvalidArgument,
                "threads must be at least 1, got " + std::to_string(threads));
  }
}

}  // namespace

struct Model::Impl {
  std::string path;          // empty for a model loaded from memory
  std::string display_name;  // what error messages call the model
  std::string preparation;
  int threads = 1;
  size_t num_outputs = 0;

  // Declaration order is the reverse of destruction order: the pool goes
  // first, then the model, its bytes, and finally the environment.
  internal::EnvironmentHandle environment;
  AlignedBuffer model_bytes;
  internal::ModelHandle model;

  // Compiling reads the shared LiteRtModel, so compilations are serialized;
  // runs are not.
  std::mutex compile_mutex;
  // More concurrent runs than cores gain nothing and each copy costs tens of
  // MB: the pool stops growing at the core count and further callers wait
  // for an idle copy.
  std::mutex pool_mutex;
  std::condition_variable pool_changed;
  std::vector<std::unique_ptr<CompiledCopy>> idle;
  size_t copies = 0;  // idle + borrowed
  const size_t max_copies = std::max(1u, std::thread::hardware_concurrency());

  [[noreturn]] void FailIncompatible(const std::string& reason) const {
    throw Error(ErrorCode::kUnsupported, display_name + " is not a usable model: " + reason);
  }

  void Load(AlignedBuffer bytes) {
    model_bytes = std::move(bytes);
    environment = internal::CreateQuietEnvironment();
    const LiteRtStatus status = LiteRtCreateModelFromBuffer(
        environment.get(), model_bytes.data(), model_bytes.size(), model.out());
    if (status != kLiteRtStatusOk) {
      FailIncompatible("LiteRT cannot read it as a TFLite model (" + StatusName(status) +
                       "); the file may be truncated or damaged");
    }
    ReadPreparation();
    CheckSignature();
    // Compile one copy now: it reports an unrunnable model at load time and
    // keeps the first infer() fast.
    idle.push_back(Compile(/*first=*/true));
    copies = 1;
  }

  void ReadPreparation() {
    const void* data = nullptr;
    size_t size = 0;
    if (LiteRtGetModelMetadata(model.get(), kPreparationKey, &data, &size) != kLiteRtStatusOk ||
        data == nullptr) {
      FailIncompatible(std::string("it has no '") + kPreparationKey +
                       "' preparation record; prepare it first with "
                       "attention_jxl.prepare_model() or `attention-jxl prepare-model`");
    }
    preparation.assign(static_cast<const char*>(data), size);
  }

  // One image input, then the center and the saliency map, then any extra
  // outputs the preparation added.
  void CheckSignature() {
    LiteRtParamIndex signatures = 0;
    LiteRtSignature signature = nullptr;
    LiteRtParamIndex inputs = 0;
    LiteRtParamIndex outputs = 0;
    if (LiteRtGetNumModelSignatures(model.get(), &signatures) != kLiteRtStatusOk ||
        signatures < 1 ||
        LiteRtGetModelSignature(model.get(), 0, &signature) != kLiteRtStatusOk ||
        LiteRtGetNumSignatureInputs(signature, &inputs) != kLiteRtStatusOk ||
        LiteRtGetNumSignatureOutputs(signature, &outputs) != kLiteRtStatusOk) {
      FailIncompatible("LiteRT cannot list its inputs and outputs");
    }
    if (inputs != 1) {
      FailIncompatible("it has " + std::to_string(inputs) + " inputs, expected one image");
    }
    std::string found;
    for (LiteRtParamIndex i = 0; i < outputs; ++i) {
      const char* name = nullptr;
      if (LiteRtGetSignatureOutputName(signature, i, &name) != kLiteRtStatusOk) name = nullptr;
      found += (i > 0 ? ", " : "") + std::string(name != nullptr ? name : "?");
    }
    for (size_t i = 0; i < std::size(kOutputNames); ++i) {
      const char* name = nullptr;
      if (i >= outputs || LiteRtGetSignatureOutputName(signature, i, &name) != kLiteRtStatusOk ||
          name == nullptr || std::strcmp(name, kOutputNames[i]) != 0) {
        FailIncompatible(std::string("output ") + std::to_string(i) + " must be '" +
                         kOutputNames[i] + "'; it has outputs [" + found + "]");
      }
    }
    num_outputs = outputs;
  }

  // Builds a new compiled copy and runs it once. `first` tells whether a
  // failure means the model itself is unusable (at load) or something went
  // wrong later.
  std::unique_ptr<CompiledCopy> Compile(bool first) {
    std::unique_ptr<CompiledCopy> copy;
    try {
      std::lock_guard<std::mutex> lock(compile_mutex);
      copy.reset(new CompiledCopy(environment.get(), model.get(), threads, num_outputs));
    } catch (const Error& error) {
      if (first) FailIncompatible(error.what());
      throw;
    }
    if (copy->input_bytes() != kInputBytes || copy->output_bytes(kCenterOutput) != kCenterBytes ||
        copy->output_bytes(kSaliencyOutput) != kSaliencyBytes) {
      FailIncompatible("its input/center/saliency take " + std::to_string(copy->input_bytes()) +
                       "/" + std::to_string(copy->output_bytes(kCenterOutput)) + "/" +
                       std::to_string(copy->output_bytes(kSaliencyOutput)) + " bytes, expected " +
                       std::to_string(kInputBytes) + "/" + std::to_string(kCenterBytes) + "/" +
                       std::to_string(kSaliencyBytes));
    }
    // The first run allocates tensors and sets up XNNPACK (several times the
    // time of a later run). Doing it here keeps infer() latency even and
    // reports a model that compiles but cannot run at load time.
    copy->WriteInput(nullptr);
    const LiteRtStatus status = copy->Run();
    if (status != kLiteRtStatusOk) {
      if (first) FailIncompatible("LiteRT could not run it (" + StatusName(status) + ")");
      CheckLiteRt(status, ErrorCode::kInternal, "LiteRT could not run another copy of the model");
    }
    return copy;
  }

  // Takes an idle copy, compiles a new one when all are busy and the pool may
  // grow, or waits for one to come back.
  std::unique_ptr<CompiledCopy> Borrow() {
    {
      std::unique_lock<std::mutex> lock(pool_mutex);
      pool_changed.wait(lock, [this] { return !idle.empty() || copies < max_copies; });
      if (!idle.empty()) {
        std::unique_ptr<CompiledCopy> copy = std::move(idle.back());
        idle.pop_back();
        return copy;
      }
      ++copies;
    }
    try {
      return Compile(/*first=*/false);
    } catch (...) {
      Discard();
      throw;
    }
  }

  void Return(std::unique_ptr<CompiledCopy> copy) {
    {
      std::lock_guard<std::mutex> lock(pool_mutex);
      idle.push_back(std::move(copy));
    }
    pool_changed.notify_one();
  }

  // Forgets a borrowed copy that failed (its state is unknown).
  void Discard() {
    {
      std::lock_guard<std::mutex> lock(pool_mutex);
      --copies;
    }
    pool_changed.notify_one();
  }

  ModelPoint Infer(const float* input, float* saliency) {
    if (input == nullptr) throw Error(ErrorCode::kInvalidArgument, "model input is null");
    std::unique_ptr<CompiledCopy> copy = Borrow();
    try {
      copy->WriteInput(input);
      CheckLiteRt(copy->Run(), ErrorCode::kInternal, "LiteRT inference failed");
      float xy[2];
      copy->ReadOutput(kCenterOutput, xy);
      if (saliency != nullptr) copy->ReadOutput(kSaliencyOutput, saliency);
      Return(std::move(copy));
      return ModelPoint{xy[0], xy[1]};
    } catch (...) {
      Discard();  // dropped, not returned: its state is unknown after a failed run
      throw;
    }
  }
};

Model::Model(const std::string& path, int threads) : impl_(new Impl) {
  CheckThreads(threads);
  impl_->path = path;
  impl_->display_name = path;
  impl_->threads = threads;
  impl_->Load(internal::ReadModelFile(path));
}

Model::Model(const uint8_t* data, size_t size, int threads) : impl_(new Impl) {
  CheckThreads(threads);
  impl_->display_name = "model buffer";
  impl_->threads = threads;
  if (data == nullptr && size != 0) {
    throw Error(ErrorCode::kInvalidArgument, "model data is null");
  }
  if (size > internal::kMaxModelBytes) {
    throw Error(ErrorCode::kUnsupported,
                "model buffer is not a TFLite model: it is larger than 2 GiB, the flatbuffer "
                "limit");
  }
  AlignedBuffer bytes(size);
  if (size != 0) std::memcpy(bytes.data(), data, size);
  impl_->Load(std::move(bytes));
}

Model::~Model() = default;

ModelPoint Model::infer(const float* input) const { return impl_->Infer(input, nullptr); }

ModelPoint Model::infer(const float* input, float* saliency) const {
  if (saliency == nullptr) {
    throw Error(ErrorCode::kInvalidArgument, "saliency output is null");
  }
  return impl_->Infer(input, saliency);
}

const std::string& Model::path() const { return impl_->path; }

int Model::threads() const { return impl_->threads; }

const std::string& Model::preparation() const { return impl_->preparation; }

}  // namespace attention_jxl

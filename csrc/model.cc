// Runs center.tflite through LiteRT's CompiledModel C API on the CPU.
//
// Lifetime rules that shape this file (from the LiteRT 1.4.0 C API):
// - LiteRtCreateModelFromBuffer does not copy: the (patched) model bytes must
//   outlive the LiteRtModel, and the LiteRtModel and the environment must
//   outlive every compiled model made from them.
// - A compiled model may not run on two threads at once, so the Model keeps a
//   pool of them, each with its own input/output buffers.

#include "attention_jxl/model.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <new>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "attention_jxl/error.h"
#include "litert/litert_c_api.h"
#include "tflite_model_patch.h"

namespace attention_jxl {
namespace {

constexpr size_t kInputFloats = Model::kInputHeight * Model::kInputWidth * 3;
constexpr size_t kInputBytes = kInputFloats * sizeof(float);
constexpr size_t kOutputFloats = 2;
constexpr size_t kOutputBytes = kOutputFloats * sizeof(float);
// Flatbuffers (and so TFLite models) are limited to 2 GiB.
constexpr uint64_t kMaxModelBytes = 0x7fffffff;
// LiteRT's signature 0: the model's first signature, or its main subgraph.
constexpr LiteRtParamIndex kSignatureIndex = 0;

// Heap memory aligned as LiteRT wants host buffers (and flatbuffers want
// their scalars) to be.
class AlignedBuffer {
 public:
  static constexpr std::align_val_t kAlignment{
      kLiteRtHostMemoryBufferAlignment};

  AlignedBuffer() = default;
  explicit AlignedBuffer(size_t size) : size_(size) {
    // Round up so the allocation is never zero-sized.
    const size_t rounded =
        (size + kLiteRtHostMemoryBufferAlignment) &
        ~static_cast<size_t>(kLiteRtHostMemoryBufferAlignment - 1);
    data_ = static_cast<uint8_t*>(::operator new(rounded, kAlignment));
  }
  ~AlignedBuffer() { Free(); }
  AlignedBuffer(AlignedBuffer&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)),
        size_(std::exchange(other.size_, 0)) {}
  AlignedBuffer& operator=(AlignedBuffer&& other) noexcept {
    if (this != &other) {
      Free();
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;

  uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  void Free() {
    if (data_ != nullptr) ::operator delete(data_, kAlignment);
    data_ = nullptr;
  }

  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// Owns one LiteRT handle and releases it with the matching destroy function.
template <typename HandleType, void (*Destroy)(HandleType)>
class LiteRtHandle {
 public:
  LiteRtHandle() = default;
  ~LiteRtHandle() { Reset(); }
  LiteRtHandle(LiteRtHandle&& other) noexcept
      : handle_(std::exchange(other.handle_, nullptr)) {}
  LiteRtHandle& operator=(LiteRtHandle&& other) noexcept {
    if (this != &other) {
      Reset();
      handle_ = std::exchange(other.handle_, nullptr);
    }
    return *this;
  }
  LiteRtHandle(const LiteRtHandle&) = delete;
  LiteRtHandle& operator=(const LiteRtHandle&) = delete;

  HandleType get() const { return handle_; }
  // For LiteRT's out-parameters; drops whatever was held before.
  HandleType* out() {
    Reset();
    return &handle_;
  }
  // Gives up ownership (after LiteRT took it over).
  HandleType release() { return std::exchange(handle_, nullptr); }

 private:
  void Reset() {
    if (handle_ != nullptr) Destroy(handle_);
    handle_ = nullptr;
  }

  HandleType handle_ = nullptr;
};

using EnvironmentHandle =
    LiteRtHandle<LiteRtEnvironment, LiteRtDestroyEnvironment>;
using ModelHandle = LiteRtHandle<LiteRtModel, LiteRtDestroyModel>;
using OptionsHandle = LiteRtHandle<LiteRtOptions, LiteRtDestroyOptions>;
using OpaqueOptionsHandle =
    LiteRtHandle<LiteRtOpaqueOptions, LiteRtDestroyOpaqueOptions>;
using CompiledModelHandle =
    LiteRtHandle<LiteRtCompiledModel, LiteRtDestroyCompiledModel>;
using TensorBufferHandle =
    LiteRtHandle<LiteRtTensorBuffer, LiteRtDestroyTensorBuffer>;

std::string StatusName(LiteRtStatus status) {
  const char* name = LiteRtGetStatusString(status);
  if (name != nullptr) return name;
  return "LiteRT status " + std::to_string(static_cast<int>(status));
}

// Turns a failed LiteRT call into an Error carrying LiteRT's status.
void CheckLiteRt(LiteRtStatus status, ErrorCode code,
                 const std::string& what) {
  if (status != kLiteRtStatusOk) {
    throw Error(code, what + " (" + StatusName(status) + ")");
  }
}

std::string SystemMessage(int error_number) {
  return std::error_code(error_number, std::generic_category()).message();
}

std::string ShapeText(const std::vector<int32_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) text += ", ";
    text += std::to_string(shape[i]);
  }
  return text + "]";
}

// LiteRT and the TFLite runtime under it print INFO lines (such as "Created
// TensorFlow Lite XNNPACK delegate for CPU.") to stderr by default. Raise the
// process-wide threshold to errors, once; never lower a stricter setting made
// by someone else. Failing to do so is harmless, so it is not an error.
void QuietLiteRtLogging() {
  static std::once_flag once;
  std::call_once(once, [] {
    LiteRtLogger logger = LiteRtGetDefaultLogger();
    if (logger == nullptr) return;
    LiteRtLogSeverity current = kLiteRtLogSeverityVerbose;
    if (LiteRtGetMinLoggerSeverity(logger, &current) == kLiteRtStatusOk &&
        current >= kLiteRtLogSeverityError) {
      return;
    }
    (void)LiteRtSetMinLoggerSeverity(logger, kLiteRtLogSeverityError);
  });
}

AlignedBuffer ReadModelFile(const std::string& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    const int error_number = errno;
    if (error_number == ENOENT || error_number == ENOTDIR) {
      throw Error(ErrorCode::kNotFound, "model file not found: " + path);
    }
    throw Error(ErrorCode::kInvalidArgument, "cannot access model file " +
                                                 path + ": " +
                                                 SystemMessage(error_number));
  }
  if (S_ISDIR(info.st_mode)) {
    throw Error(ErrorCode::kInvalidArgument,
                "model path is a directory, not a file: " + path);
  }
  if (!S_ISREG(info.st_mode)) {
    throw Error(ErrorCode::kInvalidArgument,
                "model path is not a regular file: " + path);
  }
  if (static_cast<uint64_t>(info.st_size) > kMaxModelBytes) {
    throw Error(ErrorCode::kUnsupported,
                path + " is not a compatible TFLite model: it is larger than "
                       "2 GiB, the flatbuffer limit");
  }

  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    const int error_number = errno;
    throw Error(ErrorCode::kInvalidArgument, "cannot read model file " + path +
                                                 ": " +
                                                 SystemMessage(error_number));
  }
  const size_t expected = static_cast<size_t>(info.st_size);
  AlignedBuffer bytes(expected);
  const size_t got = expected == 0 ? 0 : std::fread(bytes.data(), 1, expected, file);
  const bool read_error = std::ferror(file) != 0;
  // A file that grew while we read it is not the file we measured.
  const bool longer = std::fgetc(file) != EOF;
  std::fclose(file);
  if (read_error || got != expected || longer) {
    throw Error(ErrorCode::kInvalidArgument,
                "cannot read model file " + path +
                    ": it changed size or could not be read completely");
  }
  return bytes;
}

// One compiled model with its own input and output buffers. Members are
// declared so destruction releases the compiled model before the buffers it
// may still refer to, and the buffers before their memory.
struct CompiledInstance {
  AlignedBuffer input_memory;
  AlignedBuffer output_memory;
  TensorBufferHandle input;
  TensorBufferHandle output;
  CompiledModelHandle compiled;

  // Copies the image into the input buffer, or zeros when `pixels` is null.
  void WriteInput(const float* pixels) {
    void* address = nullptr;
    CheckLiteRt(LiteRtLockTensorBuffer(input.get(), &address,
                                       kLiteRtTensorBufferLockModeWrite),
                ErrorCode::kInternal, "LiteRT could not lock the input buffer");
    if (pixels != nullptr) {
      std::memcpy(address, pixels, kInputBytes);
    } else {
      std::memset(address, 0, kInputBytes);
    }
    CheckLiteRt(LiteRtUnlockTensorBuffer(input.get()), ErrorCode::kInternal,
                "LiteRT could not unlock the input buffer");
  }

  // Runs the graph on the current input; returns LiteRT's status.
  LiteRtStatus Invoke() {
    LiteRtTensorBuffer inputs[1] = {input.get()};
    LiteRtTensorBuffer outputs[1] = {output.get()};
    return LiteRtRunCompiledModel(compiled.get(), kSignatureIndex, 1, inputs,
                                  1, outputs);
  }

  ModelPoint ReadOutput() {
    void* address = nullptr;
    CheckLiteRt(LiteRtLockTensorBuffer(output.get(), &address,
                                       kLiteRtTensorBufferLockModeRead),
                ErrorCode::kInternal, "LiteRT could not lock the output buffer");
    float xy[kOutputFloats];
    std::memcpy(xy, address, kOutputBytes);
    CheckLiteRt(LiteRtUnlockTensorBuffer(output.get()), ErrorCode::kInternal,
                "LiteRT could not unlock the output buffer");

    ModelPoint point;
    point.x = xy[0];
    point.y = xy[1];
    return point;
  }
};

void CheckThreads(int threads) {
  if (threads < 1) {
    throw Error(ErrorCode::kInvalidArgument,
                "threads must be at least 1, got " + std::to_string(threads));
  }
}

LiteRtRankedTensorType Float32TensorType(std::initializer_list<int32_t> dims) {
  static_assert(kLiteRtTensorMaxRank >= 4, "our tensors have rank <= 4");
  LiteRtRankedTensorType type;
  std::memset(&type, 0, sizeof(type));
  type.element_type = kLiteRtElementTypeFloat32;
  type.layout.rank = static_cast<unsigned int>(dims.size());
  type.layout.has_strides = false;
  size_t i = 0;
  for (int32_t dim : dims) type.layout.dimensions[i++] = dim;
  return type;
}

}  // namespace

struct Model::Impl {
  std::string path;          // empty for a model loaded from memory
  std::string display_name;  // what error messages call the model
  int threads = 1;

  // Declaration order is the reverse of destruction order: the pool goes
  // first, then the model, its bytes, and finally the environment.
  EnvironmentHandle environment;
  AlignedBuffer model_bytes;
  ModelHandle model;

  // Compiling reads the shared LiteRtModel (and may run compiler plugins on
  // it), so compilations are serialized; runs are not.
  std::mutex compile_mutex;
  // Each compiled copy holds ~120 MB, and more concurrent runs than cores
  // gain nothing: the pool stops growing at the core count and further
  // callers wait for an idle copy.
  std::mutex pool_mutex;
  std::condition_variable pool_changed;
  std::vector<std::unique_ptr<CompiledInstance>> idle;
  size_t instances = 0;  // idle + borrowed
  const size_t max_instances = std::max(1u, std::thread::hardware_concurrency());

  [[noreturn]] void FailIncompatible(const std::string& reason) const {
    throw Error(ErrorCode::kUnsupported,
                display_name + " is not a compatible TFLite model: " + reason);
  }

  void Load(AlignedBuffer bytes) {
    QuietLiteRtLogging();
    model_bytes = std::move(bytes);

    const internal::TflitePatchResult patch = internal::PatchTfliteModel(
        model_bytes.data(), model_bytes.size(), display_name);
    CheckInterface(patch);

    CheckLiteRt(LiteRtCreateEnvironment(0, nullptr, environment.out()),
                ErrorCode::kInternal, "LiteRT could not create an environment");
    const LiteRtStatus status = LiteRtCreateModelFromBuffer(
        model_bytes.data(), model_bytes.size(), model.out());
    if (status != kLiteRtStatusOk) {
      FailIncompatible("LiteRT could not load it (" + StatusName(status) + ")");
    }

    // Compile one instance now: it reports an unrunnable model at load time
    // and keeps the first infer() fast.
    idle.push_back(Compile(/*first=*/true));
    instances = 1;
  }

  // The model must take one float32 [1, 480, 640, 3] image and produce one
  // float32 [1, 2] point.
  void CheckInterface(const internal::TflitePatchResult& patch) const {
    CheckTensors(patch.inputs, "input",
                 {1, static_cast<int32_t>(kInputHeight), static_cast<int32_t>(kInputWidth), 3});
    CheckTensors(patch.outputs, "output", {1, static_cast<int32_t>(kOutputFloats)});
  }

  // `tensors` must be one float32 tensor of `shape`; `kind` is "input" or
  // "output".
  void CheckTensors(const std::vector<internal::TfliteTensorInfo>& tensors, const char* kind,
                    const std::vector<int32_t>& shape) const {
    const uint8_t kFloat32 = static_cast<uint8_t>(internal::TfliteTensorType::kFloat32);
    if (tensors.size() == 1 && tensors[0].type == kFloat32 && tensors[0].shape == shape) return;
    std::string found;
    for (const internal::TfliteTensorInfo& tensor : tensors) {
      found += (found.empty() ? "" : ", ") + tensor.name + " " + ShapeText(tensor.shape) +
               " type " + std::to_string(tensor.type);
    }
    FailIncompatible(std::string("expected one float32 ") + kind + " of shape " +
                     ShapeText(shape) + ", found " + std::to_string(tensors.size()) + " " +
                     kind + "(s)" + (found.empty() ? "" : ": " + found));
  }

  // Builds a new compiled model with its buffers. `first` tells whether a
  // failure means the model itself is unusable (at load) or something went
  // wrong later.
  std::unique_ptr<CompiledInstance> Compile(bool first) {
    OptionsHandle options;
    CheckLiteRt(LiteRtCreateOptions(options.out()), ErrorCode::kInternal,
                "LiteRT could not create compilation options");
    CheckLiteRt(LiteRtSetOptionsHardwareAccelerators(options.get(),
                                                     kLiteRtHwAcceleratorCpu),
                ErrorCode::kInternal, "LiteRT could not select the CPU");
    OpaqueOptionsHandle cpu_options;
    CheckLiteRt(LiteRtCreateCpuOptions(cpu_options.out()), ErrorCode::kInternal,
                "LiteRT could not create CPU options");
    LiteRtCpuOptions cpu = nullptr;
    CheckLiteRt(LiteRtFindCpuOptions(cpu_options.get(), &cpu),
                ErrorCode::kInternal, "LiteRT could not access CPU options");
    CheckLiteRt(LiteRtSetCpuOptionsNumThread(cpu, threads),
                ErrorCode::kInternal, "LiteRT could not set the thread count");
    CheckLiteRt(LiteRtAddOpaqueOptions(options.get(), cpu_options.get()),
                ErrorCode::kInternal, "LiteRT could not attach CPU options");
    cpu_options.release();  // now owned by `options`

    std::unique_ptr<CompiledInstance> instance(new CompiledInstance);
    {
      std::lock_guard<std::mutex> lock(compile_mutex);
      const LiteRtStatus status = LiteRtCreateCompiledModel(
          environment.get(), model.get(), options.get(),
          instance->compiled.out());
      if (status != kLiteRtStatusOk) {
        if (first) {
          FailIncompatible("LiteRT could not compile it for the CPU (" +
                           StatusName(status) + ")");
        }
        CheckLiteRt(status, ErrorCode::kInternal,
                    "LiteRT could not compile another copy of the model");
      }
    }

    // Cross-check what the compiled graph expects against what we will pass.
    LiteRtTensorBufferRequirements requirements = nullptr;
    size_t input_size = 0;
    size_t output_size = 0;
    CheckLiteRt(LiteRtGetCompiledModelInputBufferRequirements(
                    instance->compiled.get(), kSignatureIndex, 0, &requirements),
                ErrorCode::kInternal, "LiteRT could not describe the input");
    CheckLiteRt(
        LiteRtGetTensorBufferRequirementsBufferSize(requirements, &input_size),
        ErrorCode::kInternal, "LiteRT could not size the input");
    CheckLiteRt(LiteRtGetCompiledModelOutputBufferRequirements(
                    instance->compiled.get(), kSignatureIndex, 0, &requirements),
                ErrorCode::kInternal, "LiteRT could not describe the output");
    CheckLiteRt(
        LiteRtGetTensorBufferRequirementsBufferSize(requirements, &output_size),
        ErrorCode::kInternal, "LiteRT could not size the output");
    if (input_size != kInputBytes || output_size != kOutputBytes) {
      FailIncompatible("LiteRT sizes its input/output at " +
                       std::to_string(input_size) + "/" +
                       std::to_string(output_size) + " bytes, expected " +
                       std::to_string(kInputBytes) + "/" +
                       std::to_string(kOutputBytes));
    }

    instance->input_memory = AlignedBuffer(kInputBytes);
    instance->output_memory = AlignedBuffer(kOutputBytes);
    const LiteRtRankedTensorType input_type = Float32TensorType(
        {1, static_cast<int32_t>(kInputHeight),
         static_cast<int32_t>(kInputWidth), 3});
    const LiteRtRankedTensorType output_type =
        Float32TensorType({1, static_cast<int32_t>(kOutputFloats)});
    CheckLiteRt(LiteRtCreateTensorBufferFromHostMemory(
                    &input_type, instance->input_memory.data(), kInputBytes,
                    /*deallocator=*/nullptr, instance->input.out()),
                ErrorCode::kInternal, "LiteRT could not wrap the input buffer");
    CheckLiteRt(LiteRtCreateTensorBufferFromHostMemory(
                    &output_type, instance->output_memory.data(), kOutputBytes,
                    /*deallocator=*/nullptr, instance->output.out()),
                ErrorCode::kInternal, "LiteRT could not wrap the output buffer");

    // The first run allocates tensors and sets up XNNPACK (more than twice
    // the time of a later run). Doing it here keeps infer() latency even and
    // reports a model that compiles but cannot run at load time.
    instance->WriteInput(nullptr);
    const LiteRtStatus status = instance->Invoke();
    if (status != kLiteRtStatusOk) {
      if (first) {
        FailIncompatible("LiteRT could not run it (" + StatusName(status) +
                         ")");
      }
      CheckLiteRt(status, ErrorCode::kInternal,
                  "LiteRT could not run another copy of the model");
    }
    return instance;
  }

  // Takes an idle compiled model, compiles a new one when all are busy and
  // the pool may grow, or waits for one to come back.
  std::unique_ptr<CompiledInstance> Borrow() {
    {
      std::unique_lock<std::mutex> lock(pool_mutex);
      pool_changed.wait(lock, [this] { return !idle.empty() || instances < max_instances; });
      if (!idle.empty()) {
        std::unique_ptr<CompiledInstance> instance = std::move(idle.back());
        idle.pop_back();
        return instance;
      }
      ++instances;
    }
    try {
      return Compile(/*first=*/false);
    } catch (...) {
      Discard();
      throw;
    }
  }

  void Return(std::unique_ptr<CompiledInstance> instance) {
    {
      std::lock_guard<std::mutex> lock(pool_mutex);
      idle.push_back(std::move(instance));
    }
    pool_changed.notify_one();
  }

  // Forgets a borrowed copy that failed (its state is unknown).
  void Discard() {
    {
      std::lock_guard<std::mutex> lock(pool_mutex);
      --instances;
    }
    pool_changed.notify_one();
  }
};

Model::Model(const std::string& path, int threads) : impl_(new Impl) {
  CheckThreads(threads);
  impl_->path = path;
  impl_->display_name = path;
  impl_->threads = threads;
  impl_->Load(ReadModelFile(path));
}

Model::Model(const uint8_t* data, size_t size, int threads)
    : impl_(new Impl) {
  CheckThreads(threads);
  impl_->display_name = "model buffer";
  impl_->threads = threads;
  if (data == nullptr && size != 0) {
    throw Error(ErrorCode::kInvalidArgument, "model data is null");
  }
  if (size > kMaxModelBytes) {
    throw Error(ErrorCode::kUnsupported,
                "model buffer is not a compatible TFLite model: it is larger "
                "than 2 GiB, the flatbuffer limit");
  }
  AlignedBuffer bytes(size);
  if (size != 0) std::memcpy(bytes.data(), data, size);
  impl_->Load(std::move(bytes));
}

Model::~Model() = default;

ModelPoint Model::infer(const float* input) const {
  if (input == nullptr) {
    throw Error(ErrorCode::kInvalidArgument, "model input is null");
  }
  std::unique_ptr<CompiledInstance> instance = impl_->Borrow();
  try {
    instance->WriteInput(input);
    CheckLiteRt(instance->Invoke(), ErrorCode::kInternal, "LiteRT inference failed");
    const ModelPoint point = instance->ReadOutput();
    impl_->Return(std::move(instance));
    return point;
  } catch (...) {
    impl_->Discard();  // dropped, not returned: its state is unknown after a failed run
    throw;
  }
}

const std::string& Model::path() const { return impl_->path; }

int Model::threads() const { return impl_->threads; }

}  // namespace attention_jxl

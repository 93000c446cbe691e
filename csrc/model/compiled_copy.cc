#include "model/compiled_copy.h"

#include <cstring>
#include <string>

namespace attention_jxl {
namespace internal {
namespace {

// LiteRT's signature 0: the model's first signature, or its main subgraph.
constexpr LiteRtParamIndex kSignatureIndex = 0;

// The CPU accelerator's settings travel as a TOML text it parses itself.
OpaqueOptionsHandle CpuOptions(int threads) {
  const std::string toml = "num_threads = " + std::to_string(threads) + "\n";
  char* payload = new char[toml.size() + 1];
  std::memcpy(payload, toml.c_str(), toml.size() + 1);
  OpaqueOptionsHandle options;
  const LiteRtStatus status = LiteRtCreateOpaqueOptions(
      kLiteRtCpuOptionsIdentifier, payload, [](void* data) { delete[] static_cast<char*>(data); },
      options.out());
  if (status != kLiteRtStatusOk) delete[] payload;
  CheckLiteRt(status, ErrorCode::kInternal, "LiteRT could not create CPU options");
  return options;
}

OptionsHandle CompilationOptions(int threads) {
  OptionsHandle options;
  CheckLiteRt(LiteRtCreateOptions(options.out()), ErrorCode::kInternal,
              "LiteRT could not create compilation options");
  CheckLiteRt(LiteRtSetOptionsHardwareAccelerators(options.get(), kLiteRtHwAcceleratorCpu),
              ErrorCode::kInternal, "LiteRT could not select the CPU");
  OpaqueOptionsHandle cpu = CpuOptions(threads);
  CheckLiteRt(LiteRtAddOpaqueOptions(options.get(), cpu.get()), ErrorCode::kInternal,
              "LiteRT could not attach CPU options");
  cpu.release();  // now owned by `options`
  return options;
}

// The byte size LiteRT wants for input or output `index`.
size_t RequiredBytes(LiteRtCompiledModel compiled, bool input, size_t index,
                     const std::string& what) {
  LiteRtTensorBufferRequirements requirements = nullptr;
  CheckLiteRt(input ? LiteRtGetCompiledModelInputBufferRequirements(compiled, kSignatureIndex,
                                                                    index, &requirements)
                    : LiteRtGetCompiledModelOutputBufferRequirements(compiled, kSignatureIndex,
                                                                     index, &requirements),
              ErrorCode::kInternal, "LiteRT could not describe " + what);
  size_t bytes = 0;
  CheckLiteRt(LiteRtGetTensorBufferRequirementsBufferSize(requirements, &bytes),
              ErrorCode::kInternal, "LiteRT could not size " + what);
  return bytes;
}

// LiteRT checks a buffer's rank and size against the tensor it is bound to.
TensorBufferHandle WrapHostMemory(const AlignedBuffer& memory, const LiteRtLayout& layout,
                                  const std::string& what) {
  LiteRtRankedTensorType type;
  std::memset(&type, 0, sizeof(type));
  type.element_type = kLiteRtElementTypeFloat32;
  type.layout = layout;
  type.layout.has_strides = 0;
  TensorBufferHandle buffer;
  CheckLiteRt(LiteRtCreateTensorBufferFromHostMemory(&type, memory.data(), memory.size(),
                                                     /*deallocator=*/nullptr, buffer.out()),
              ErrorCode::kInternal, "LiteRT could not wrap " + what);
  return buffer;
}

}  // namespace

CompiledCopy::CompiledCopy(LiteRtEnvironment environment, LiteRtModel model, int threads,
                           size_t num_outputs) {
  const OptionsHandle options = CompilationOptions(threads);
  CheckLiteRt(LiteRtCreateCompiledModel(environment, model, options.get(), compiled_.out()),
              ErrorCode::kInternal, "LiteRT could not compile the model for the CPU");

  LiteRtLayout input_layout;
  CheckLiteRt(LiteRtGetCompiledModelInputTensorLayout(compiled_.get(), kSignatureIndex, 0,
                                                      &input_layout),
              ErrorCode::kInternal, "LiteRT could not give the input's shape");
  std::vector<LiteRtLayout> output_layouts(num_outputs);
  CheckLiteRt(LiteRtGetCompiledModelOutputTensorLayouts(compiled_.get(), kSignatureIndex,
                                                        num_outputs, output_layouts.data(),
                                                        /*update_allocation=*/false),
              ErrorCode::kInternal, "LiteRT could not give the outputs' shapes");

  input_memory_ = AlignedBuffer(RequiredBytes(compiled_.get(), true, 0, "the input"));
  input_ = WrapHostMemory(input_memory_, input_layout, "the input buffer");
  outputs_.resize(num_outputs);
  for (size_t i = 0; i < num_outputs; ++i) {
    const std::string what = "output " + std::to_string(i);
    outputs_[i].memory = AlignedBuffer(RequiredBytes(compiled_.get(), false, i, what));
    outputs_[i].buffer = WrapHostMemory(outputs_[i].memory, output_layouts[i], what + "'s buffer");
    outputs_[i].shape.assign(output_layouts[i].dimensions,
                             output_layouts[i].dimensions + output_layouts[i].rank);
  }
}

void CompiledCopy::WriteInput(const float* pixels) {
  void* address = nullptr;
  CheckLiteRt(LiteRtLockTensorBuffer(input_.get(), &address, kLiteRtTensorBufferLockModeWrite),
              ErrorCode::kInternal, "LiteRT could not lock the input buffer");
  if (pixels != nullptr) {
    std::memcpy(address, pixels, input_bytes());
  } else {
    std::memset(address, 0, input_bytes());
  }
  CheckLiteRt(LiteRtUnlockTensorBuffer(input_.get()), ErrorCode::kInternal,
              "LiteRT could not unlock the input buffer");
}

LiteRtStatus CompiledCopy::Run() {
  LiteRtTensorBuffer inputs[1] = {input_.get()};
  std::vector<LiteRtTensorBuffer> outputs;
  outputs.reserve(outputs_.size());
  for (const Output& output : outputs_) outputs.push_back(output.buffer.get());
  return LiteRtRunCompiledModel(compiled_.get(), kSignatureIndex, 1, inputs, outputs.size(),
                                outputs.data());
}

void CompiledCopy::ReadOutput(size_t index, float* out) {
  Output& output = outputs_[index];
  void* address = nullptr;
  CheckLiteRt(LiteRtLockTensorBuffer(output.buffer.get(), &address,
                                     kLiteRtTensorBufferLockModeRead),
              ErrorCode::kInternal, "LiteRT could not lock an output buffer");
  std::memcpy(out, address, output.memory.size());
  CheckLiteRt(LiteRtUnlockTensorBuffer(output.buffer.get()), ErrorCode::kInternal,
              "LiteRT could not unlock an output buffer");
}

}  // namespace internal
}  // namespace attention_jxl

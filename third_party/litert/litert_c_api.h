// Hand-written declarations for the small part of the LiteRT C API that
// attention_jxl uses. They match the ABI of libLiteRtRuntimeCApi.so as shipped
// in the PyPI wheel ai-edge-litert 1.4.0 (LiteRT tag v1.4.0, public headers
// litert/c/*.h). Only what we call is declared; handles are opaque.
//
// If the wheel is upgraded, re-check every enum value and signature below
// against that release's litert/c headers before bumping the version note.
#pragma once

#ifndef __cplusplus
#error "litert_c_api.h is written for C++ (enums with fixed underlying types)"
#endif

#include <cstddef>
#include <cstdint>

extern "C" {

// ---------------------------------------------------------------------------
// Opaque handles. The library owns the pointed-to objects; we only pass them
// back to it.
struct LiteRtEnvironmentT;
struct LiteRtModelT;
struct LiteRtOptionsT;
struct LiteRtOpaqueOptionsT;
struct LiteRtCpuOptionsT;
struct LiteRtCompiledModelT;
struct LiteRtTensorBufferT;
struct LiteRtTensorBufferRequirementsT;
struct LiteRtLoggerT;
// Environment options are never passed (we call with zero of them), so the
// element type can stay incomplete.
struct LiteRtEnvOption;

typedef LiteRtEnvironmentT* LiteRtEnvironment;
typedef LiteRtModelT* LiteRtModel;
typedef LiteRtOptionsT* LiteRtOptions;
typedef LiteRtOpaqueOptionsT* LiteRtOpaqueOptions;
typedef LiteRtCpuOptionsT* LiteRtCpuOptions;
typedef LiteRtCompiledModelT* LiteRtCompiledModel;
typedef LiteRtTensorBufferT* LiteRtTensorBuffer;
typedef LiteRtTensorBufferRequirementsT* LiteRtTensorBufferRequirements;
typedef LiteRtLoggerT* LiteRtLogger;

typedef size_t LiteRtParamIndex;

// ---------------------------------------------------------------------------
// Status codes (an int-sized C enum; `: int` so any value the library returns
// is representable). Only the values we name are listed;
// LiteRtGetStatusString() turns any value into its name.
enum LiteRtStatus : int {
  kLiteRtStatusOk = 0,
  kLiteRtStatusErrorInvalidArgument = 1,
  kLiteRtStatusErrorMemoryAllocationFailure = 2,
  kLiteRtStatusErrorRuntimeFailure = 3,
  kLiteRtStatusErrorUnsupported = 5,
  kLiteRtStatusErrorNotFound = 6,
  kLiteRtStatusErrorInvalidFlatbuffer = 501,
  kLiteRtStatusErrorCompilation = 504,
};

// Returns a static string naming `status`.
const char* LiteRtGetStatusString(LiteRtStatus status);

// ---------------------------------------------------------------------------
// Logging. The severity enum is one byte wide in this ABI.
enum LiteRtLogSeverity : int8_t {
  kLiteRtLogSeverityVerbose = 0,
  kLiteRtLogSeverityInfo = 1,
  kLiteRtLogSeverityWarning = 2,
  kLiteRtLogSeverityError = 3,
  kLiteRtLogSeveritySilent = 4,
};

// The process-wide logger LiteRT writes through. Its minimum severity also
// governs the TFLite runtime messages (e.g. the XNNPACK "Created ..." line).
LiteRtLogger LiteRtGetDefaultLogger();
LiteRtStatus LiteRtGetMinLoggerSeverity(LiteRtLogger logger,
                                        LiteRtLogSeverity* min_severity);
LiteRtStatus LiteRtSetMinLoggerSeverity(LiteRtLogger logger,
                                        LiteRtLogSeverity min_severity);

// ---------------------------------------------------------------------------
// Environment.
LiteRtStatus LiteRtCreateEnvironment(int num_options,
                                     const LiteRtEnvOption* options,
                                     LiteRtEnvironment* environment);
void LiteRtDestroyEnvironment(LiteRtEnvironment environment);

// ---------------------------------------------------------------------------
// Model. The buffer is not copied: it must outlive the model and every
// compiled model made from it.
LiteRtStatus LiteRtCreateModelFromBuffer(const void* buffer_addr,
                                         size_t buffer_size,
                                         LiteRtModel* model);
void LiteRtDestroyModel(LiteRtModel model);

// ---------------------------------------------------------------------------
// Compilation options.
typedef int LiteRtHwAcceleratorSet;
enum LiteRtHwAccelerators : int {
  kLiteRtHwAcceleratorNone = 0,
  kLiteRtHwAcceleratorCpu = 1 << 0,
  kLiteRtHwAcceleratorGpu = 1 << 1,
  kLiteRtHwAcceleratorNpu = 1 << 2,
};

LiteRtStatus LiteRtCreateOptions(LiteRtOptions* options);
void LiteRtDestroyOptions(LiteRtOptions options);
LiteRtStatus LiteRtSetOptionsHardwareAccelerators(
    LiteRtOptions options, LiteRtHwAcceleratorSet hardware_accelerators);
// On success `opaque_options` belongs to `options`; on failure it stays ours.
LiteRtStatus LiteRtAddOpaqueOptions(LiteRtOptions options,
                                    LiteRtOpaqueOptions opaque_options);
// Destroys an opaque options object (and anything chained after it).
void LiteRtDestroyOpaqueOptions(LiteRtOpaqueOptions options);

// CPU accelerator options live inside an opaque options object.
LiteRtStatus LiteRtCreateCpuOptions(LiteRtOpaqueOptions* options);
LiteRtStatus LiteRtFindCpuOptions(LiteRtOpaqueOptions opaque_options,
                                  LiteRtCpuOptions* cpu_options);
LiteRtStatus LiteRtSetCpuOptionsNumThread(LiteRtCpuOptions options,
                                          int num_threads);

// ---------------------------------------------------------------------------
// Compiled model. `compilation_options` stays owned by the caller; the
// environment and the model must outlive the compiled model. A compiled model
// must not be run from two threads at once.
LiteRtStatus LiteRtCreateCompiledModel(LiteRtEnvironment environment,
                                       LiteRtModel model,
                                       LiteRtOptions compilation_options,
                                       LiteRtCompiledModel* compiled_model);
void LiteRtDestroyCompiledModel(LiteRtCompiledModel compiled_model);

// The returned requirements stay owned by the compiled model.
LiteRtStatus LiteRtGetCompiledModelInputBufferRequirements(
    LiteRtCompiledModel compiled_model, LiteRtParamIndex signature_index,
    LiteRtParamIndex input_index,
    LiteRtTensorBufferRequirements* buffer_requirements);
LiteRtStatus LiteRtGetCompiledModelOutputBufferRequirements(
    LiteRtCompiledModel compiled_model, LiteRtParamIndex signature_index,
    LiteRtParamIndex output_index,
    LiteRtTensorBufferRequirements* buffer_requirements);
LiteRtStatus LiteRtGetTensorBufferRequirementsBufferSize(
    LiteRtTensorBufferRequirements requirements, size_t* buffer_size);

LiteRtStatus LiteRtRunCompiledModel(LiteRtCompiledModel compiled_model,
                                    LiteRtParamIndex signature_index,
                                    size_t num_input_buffers,
                                    LiteRtTensorBuffer* input_buffers,
                                    size_t num_output_buffers,
                                    LiteRtTensorBuffer* output_buffers);

// ---------------------------------------------------------------------------
// Tensor types and buffers.

// Values are TfLiteType's (kTfLiteFloat32 == 1), not the flatbuffer schema's.
enum LiteRtElementType : int {
  kLiteRtElementTypeNone = 0,
  kLiteRtElementTypeFloat32 = 1,
};

enum { kLiteRtTensorMaxRank = 8 };

// Bit-field layout as in the library: rank and has_strides share the first
// 32-bit unit, then the dimension and stride arrays.
struct LiteRtLayout {
  unsigned int rank : 7;
  bool has_strides : 1;
  int32_t dimensions[kLiteRtTensorMaxRank];
  uint32_t strides[kLiteRtTensorMaxRank];
};

struct LiteRtRankedTensorType {
  LiteRtElementType element_type;
  LiteRtLayout layout;
};

// Host buffers handed to LiteRT must be aligned to this many bytes.
enum { kLiteRtHostMemoryBufferAlignment = 64 };

typedef void (*LiteRtHostMemoryDeallocator)(void* addr);

// Wraps caller memory; with a null deallocator the memory stays ours and must
// outlive the buffer.
LiteRtStatus LiteRtCreateTensorBufferFromHostMemory(
    const LiteRtRankedTensorType* tensor_type, void* host_buffer_addr,
    size_t host_buffer_size, LiteRtHostMemoryDeallocator deallocator,
    LiteRtTensorBuffer* buffer);
void LiteRtDestroyTensorBuffer(LiteRtTensorBuffer buffer);

enum LiteRtTensorBufferLockMode : int {
  kLiteRtTensorBufferLockModeRead = 0,
  kLiteRtTensorBufferLockModeWrite = 1,
  kLiteRtTensorBufferLockModeReadWrite = 2,
};

LiteRtStatus LiteRtLockTensorBuffer(LiteRtTensorBuffer tensor_buffer,
                                    void** host_mem_addr,
                                    LiteRtTensorBufferLockMode lock_mode);
LiteRtStatus LiteRtUnlockTensorBuffer(LiteRtTensorBuffer buffer);

}  // extern "C"

// Guards against silently drifting from the library's struct layout.
static_assert(sizeof(LiteRtStatus) == 4, "LiteRtStatus is a C int enum");
static_assert(sizeof(LiteRtLogSeverity) == 1, "LiteRtLogSeverity is int8_t");
static_assert(sizeof(LiteRtLayout) == 68, "LiteRtLayout layout changed");
static_assert(sizeof(LiteRtRankedTensorType) == 72,
              "LiteRtRankedTensorType layout changed");

// Our declarations of the small part of the LiteRT 2.x C API that
// attention_jxl calls. They follow the ABI of libLiteRt.so as shipped in the
// PyPI wheel ai-edge-litert 2.3 (public headers litert/c/*.h of that
// release). Only what we call is declared; handles are opaque.
//
// LiteRT 2.2 changed this ABI (LiteRtCreateModelFromBuffer takes the
// environment, CPU options became a TOML payload of an opaque options
// object, the logger and status-name functions left the exported set). If the
// wheel is upgraded past the range pyproject.toml pins, re-check every enum
// value and signature below against that release's headers.
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
struct LiteRtSignatureT;
struct LiteRtOptionsT;
struct LiteRtOpaqueOptionsT;
struct LiteRtCompiledModelT;
struct LiteRtTensorBufferT;
struct LiteRtTensorBufferRequirementsT;

typedef LiteRtEnvironmentT* LiteRtEnvironment;
typedef LiteRtModelT* LiteRtModel;
typedef LiteRtSignatureT* LiteRtSignature;
typedef LiteRtOptionsT* LiteRtOptions;
typedef LiteRtOpaqueOptionsT* LiteRtOpaqueOptions;
typedef LiteRtCompiledModelT* LiteRtCompiledModel;
typedef LiteRtTensorBufferT* LiteRtTensorBuffer;
typedef LiteRtTensorBufferRequirementsT* LiteRtTensorBufferRequirements;

typedef size_t LiteRtParamIndex;

// ---------------------------------------------------------------------------
// Status codes (an int-sized C enum; `: int` so any value the library returns
// is representable). Only the values we name are listed.
enum LiteRtStatus : int {
  kLiteRtStatusOk = 0,
  kLiteRtStatusErrorInvalidArgument = 1,
  kLiteRtStatusErrorMemoryAllocationFailure = 2,
  kLiteRtStatusErrorRuntimeFailure = 3,
  kLiteRtStatusErrorMissingInputTensor = 4,
  kLiteRtStatusErrorUnsupported = 5,
  kLiteRtStatusErrorNotFound = 6,
  kLiteRtStatusErrorTimeoutExpired = 7,
  kLiteRtStatusErrorWrongVersion = 8,
  kLiteRtStatusErrorUnknown = 9,
  kLiteRtStatusErrorAlreadyExists = 10,
  kLiteRtStatusCancelled = 100,
  kLiteRtStatusErrorFileIO = 500,
  kLiteRtStatusErrorInvalidFlatbuffer = 501,
  kLiteRtStatusErrorDynamicLoading = 502,
  kLiteRtStatusErrorSerialization = 503,
  kLiteRtStatusErrorCompilation = 504,
};

// ---------------------------------------------------------------------------
// Environment. Options are (tag, value) pairs; we pass only the logger
// threshold.
enum LiteRtAnyType : int {
  kLiteRtAnyTypeNone = 0,
  kLiteRtAnyTypeBool = 1,
  kLiteRtAnyTypeInt = 2,
};

struct LiteRtAny {
  LiteRtAnyType type;
  union {
    bool bool_value;
    int64_t int_value;
    double real_value;
    const char* str_value;
    const void* ptr_value;
  };
};

enum LiteRtEnvOptionTag : int {
  kLiteRtEnvOptionTagMinLoggerSeverity = 25,
};

struct LiteRtEnvOption {
  LiteRtEnvOptionTag tag;
  LiteRtAny value;
};

// LiteRT's log severity for errors (severities are int8_t in the library).
enum : int8_t { kLiteRtLogSeverityError = 3 };

LiteRtStatus LiteRtCreateEnvironment(int num_options,
                                     const LiteRtEnvOption* options,
                                     LiteRtEnvironment* environment);
void LiteRtDestroyEnvironment(LiteRtEnvironment environment);

// ---------------------------------------------------------------------------
// Model. The buffer is not copied: it must outlive the model and every
// compiled model made from it.
LiteRtStatus LiteRtCreateModelFromBuffer(LiteRtEnvironment environment,
                                         const void* buffer_addr,
                                         size_t buffer_size,
                                         LiteRtModel* model);
void LiteRtDestroyModel(LiteRtModel model);

// The model's metadata entry named `metadata_key` (the buffer stays owned by
// the model).
LiteRtStatus LiteRtGetModelMetadata(LiteRtModel model, const char* metadata_key,
                                    const void** metadata_buffer,
                                    size_t* metadata_buffer_size);

// Signatures: a model without one gets a default signature over its main
// subgraph. Names and signatures stay owned by the model.
LiteRtStatus LiteRtGetNumModelSignatures(LiteRtModel model,
                                         LiteRtParamIndex* num_signatures);
LiteRtStatus LiteRtGetModelSignature(LiteRtModel model,
                                     LiteRtParamIndex signature_index,
                                     LiteRtSignature* signature);
LiteRtStatus LiteRtGetNumSignatureInputs(LiteRtSignature signature,
                                         LiteRtParamIndex* num_inputs);
LiteRtStatus LiteRtGetNumSignatureOutputs(LiteRtSignature signature,
                                          LiteRtParamIndex* num_outputs);
LiteRtStatus LiteRtGetSignatureOutputName(LiteRtSignature signature,
                                          LiteRtParamIndex output_idx,
                                          const char** output_name);

// ---------------------------------------------------------------------------
// Compilation options.
typedef int LiteRtHwAcceleratorSet;
enum LiteRtHwAccelerators : int {
  kLiteRtHwAcceleratorNone = 0,
  kLiteRtHwAcceleratorCpu = 1 << 0,
};

LiteRtStatus LiteRtCreateOptions(LiteRtOptions* options);
void LiteRtDestroyOptions(LiteRtOptions options);
LiteRtStatus LiteRtSetOptionsHardwareAccelerators(
    LiteRtOptions options, LiteRtHwAcceleratorSet hardware_accelerators);

// An options object carrying `payload_data`, freed with `payload_destructor`
// when the object is destroyed. Accelerators find theirs by identifier.
LiteRtStatus LiteRtCreateOpaqueOptions(
    const char* payload_identifier, void* payload_data,
    void (*payload_destructor)(void* payload_data),
    LiteRtOpaqueOptions* options);
void LiteRtDestroyOpaqueOptions(LiteRtOpaqueOptions options);
// On success `opaque_options` belongs to `options`; on failure it stays ours.
LiteRtStatus LiteRtAddOpaqueOptions(LiteRtOptions options,
                                    LiteRtOpaqueOptions opaque_options);

// The CPU (XNNPACK) accelerator reads its settings from opaque options with
// this identifier whose payload is a NUL-terminated TOML text, e.g.
// "num_threads = 2\n".
constexpr const char kLiteRtCpuOptionsIdentifier[] = "xnnpack";

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

// The shapes the compiled graph expects; `layouts` has room for
// `num_layouts` entries, one per output.
LiteRtStatus LiteRtGetCompiledModelInputTensorLayout(
    LiteRtCompiledModel compiled_model, LiteRtParamIndex signature_index,
    LiteRtParamIndex input_index, struct LiteRtLayout* layout);
LiteRtStatus LiteRtGetCompiledModelOutputTensorLayouts(
    LiteRtCompiledModel compiled_model, LiteRtParamIndex signature_index,
    size_t num_layouts, struct LiteRtLayout* layouts, bool update_allocation);

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
  unsigned int has_strides : 1;
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
};

LiteRtStatus LiteRtLockTensorBuffer(LiteRtTensorBuffer tensor_buffer,
                                    void** host_mem_addr,
                                    LiteRtTensorBufferLockMode lock_mode);
LiteRtStatus LiteRtUnlockTensorBuffer(LiteRtTensorBuffer buffer);

}  // extern "C"

// Guards against silently drifting from the library's struct layout.
static_assert(sizeof(LiteRtStatus) == 4, "LiteRtStatus is a C int enum");
static_assert(sizeof(LiteRtAny) == 16, "LiteRtAny layout changed");
static_assert(sizeof(LiteRtEnvOption) == 24, "LiteRtEnvOption layout changed");
static_assert(sizeof(LiteRtLayout) == 68, "LiteRtLayout layout changed");
static_assert(sizeof(LiteRtRankedTensorType) == 72,
              "LiteRtRankedTensorType layout changed");

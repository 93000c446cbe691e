#include "model/litert_handle.h"

#include <cstring>

namespace attention_jxl {
namespace internal {

EnvironmentHandle CreateQuietEnvironment() {
  LiteRtEnvOption quiet;
  std::memset(&quiet, 0, sizeof(quiet));
  quiet.tag = kLiteRtEnvOptionTagMinLoggerSeverity;
  quiet.value.type = kLiteRtAnyTypeInt;
  quiet.value.int_value = kLiteRtLogSeverityError;
  EnvironmentHandle environment;
  CheckLiteRt(LiteRtCreateEnvironment(1, &quiet, environment.out()), ErrorCode::kInternal,
              "LiteRT could not create an environment");
  return environment;
}

std::string StatusName(LiteRtStatus status) {
  switch (status) {
    case kLiteRtStatusOk: return "ok";
    case kLiteRtStatusErrorInvalidArgument: return "invalid argument";
    case kLiteRtStatusErrorMemoryAllocationFailure: return "memory allocation failure";
    case kLiteRtStatusErrorRuntimeFailure: return "runtime failure";
    case kLiteRtStatusErrorMissingInputTensor: return "missing input tensor";
    case kLiteRtStatusErrorUnsupported: return "unsupported";
    case kLiteRtStatusErrorNotFound: return "not found";
    case kLiteRtStatusErrorTimeoutExpired: return "timeout expired";
    case kLiteRtStatusErrorWrongVersion: return "wrong version";
    case kLiteRtStatusErrorUnknown: return "unknown error";
    case kLiteRtStatusErrorAlreadyExists: return "already exists";
    case kLiteRtStatusCancelled: return "cancelled";
    case kLiteRtStatusErrorFileIO: return "file I/O error";
    case kLiteRtStatusErrorInvalidFlatbuffer: return "invalid flatbuffer";
    case kLiteRtStatusErrorDynamicLoading: return "dynamic loading error";
    case kLiteRtStatusErrorSerialization: return "serialization error";
    case kLiteRtStatusErrorCompilation: return "compilation error";
  }
  return "LiteRT status " + std::to_string(static_cast<int>(status));
}

}  // namespace internal
}  // namespace attention_jxl

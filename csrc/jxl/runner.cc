#include "jxl/runner.h"

#include <string>

#include "attention_jxl/error.h"

namespace attention_jxl {

void check_threads(int threads) {
  if (threads < 0) {
    throw Error(ErrorCode::kInvalidArgument,
                "threads must be >= 0 (0 = all cores), got " +
                    std::to_string(threads));
  }
}

JxlRunner::JxlRunner(int threads) {
  check_threads(threads);
  if (threads == 1) return;
  const size_t workers = threads == 0
                             ? JxlThreadParallelRunnerDefaultNumWorkerThreads()
                             : static_cast<size_t>(threads);
  runner_ = JxlThreadParallelRunnerCreate(nullptr, workers);
  if (runner_ == nullptr) {
    throw Error(ErrorCode::kInternal, "could not start libjxl worker threads");
  }
}

JxlRunner::~JxlRunner() {
  if (runner_ != nullptr) JxlThreadParallelRunnerDestroy(runner_);
}

JxlDataType data_type(SampleType type) {
  switch (type) {
    case SampleType::kUint8:
      return JXL_TYPE_UINT8;
    case SampleType::kUint16:
      return JXL_TYPE_UINT16;
    case SampleType::kFloat32:
      return JXL_TYPE_FLOAT;
  }
  return JXL_TYPE_UINT8;
}

}  // namespace attention_jxl

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

namespace {

size_t worker_count(int threads) {
  check_threads(threads);
  return threads == 0 ? JxlThreadParallelRunnerDefaultNumWorkerThreads()
                      : static_cast<size_t>(threads);
}

void* start_workers(size_t workers) {
  void* runner = JxlThreadParallelRunnerCreate(nullptr, workers);
  if (runner == nullptr) {
    throw Error(ErrorCode::kInternal, "could not start libjxl worker threads");
  }
  return runner;
}

}  // namespace

struct ThreadPool::Impl {
  size_t workers = 0;
  void* runner = nullptr;
  std::mutex turn;  // libjxl's runner serves one encoder or decoder at a time
};

ThreadPool::ThreadPool(int threads) : impl_(std::make_unique<Impl>()) {
  impl_->workers = worker_count(threads);
  impl_->runner = start_workers(impl_->workers);
}

ThreadPool::~ThreadPool() { JxlThreadParallelRunnerDestroy(impl_->runner); }

size_t ThreadPool::threads() const { return impl_->workers; }

JxlRunner::JxlRunner(int threads, const ThreadPool* pool) {
  if (pool != nullptr) {
    pool_turn_ = std::unique_lock<std::mutex>(pool->impl_->turn);
    runner_ = pool->impl_->runner;
    return;
  }
  const size_t workers = worker_count(threads);
  if (threads == 1) return;
  runner_ = start_workers(workers);
  owned_ = true;
}

JxlRunner::~JxlRunner() {
  if (owned_) JxlThreadParallelRunnerDestroy(runner_);
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

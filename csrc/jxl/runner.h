// libjxl glue shared by encode and decode (internal): the thread pool and
// the sample type mapping.
#pragma once

#include <jxl/thread_parallel_runner.h>
#include <jxl/types.h>

#include <mutex>

#include "attention_jxl/image.h"
#include "attention_jxl/thread_pool.h"

namespace attention_jxl {

// The libjxl runner for one call: the caller's pool when given (held for the
// call), else a JxlThreadParallelRunner of its own sized from a `threads`
// setting: 0 means one worker per core, 1 means none (work runs on the
// calling thread).
class JxlRunner {
 public:
  explicit JxlRunner(int threads, const ThreadPool* pool = nullptr);
  ~JxlRunner();
  JxlRunner(const JxlRunner&) = delete;
  JxlRunner& operator=(const JxlRunner&) = delete;

  // nullptr when the work runs on the calling thread.
  void* opaque() const { return runner_; }

 private:
  void* runner_ = nullptr;
  bool owned_ = false;
  std::unique_lock<std::mutex> pool_turn_;
};

// Throws Error(kInvalidArgument) unless threads >= 0.
void check_threads(int threads);

// libjxl's name for our sample type.
JxlDataType data_type(SampleType type);

}  // namespace attention_jxl

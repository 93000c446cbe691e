// libjxl glue shared by encode and decode (internal): the thread pool and
// the sample type mapping.
#pragma once

#include <jxl/thread_parallel_runner.h>
#include <jxl/types.h>

#include "attention_jxl/image.h"

namespace attention_jxl {

// Owns a JxlThreadParallelRunner sized from a `threads` setting: 0 means one
// worker per core, 1 means none (work runs on the calling thread).
class JxlRunner {
 public:
  explicit JxlRunner(int threads);
  ~JxlRunner();
  JxlRunner(const JxlRunner&) = delete;
  JxlRunner& operator=(const JxlRunner&) = delete;

  // nullptr when the work runs on the calling thread.
  void* opaque() const { return runner_; }

 private:
  void* runner_ = nullptr;
};

// Throws Error(kInvalidArgument) unless threads >= 0.
void check_threads(int threads);

// libjxl's name for our sample type.
JxlDataType data_type(SampleType type);

}  // namespace attention_jxl

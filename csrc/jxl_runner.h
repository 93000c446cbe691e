// The libjxl thread pool shared by encode and decode (internal).
#pragma once

#include <jxl/thread_parallel_runner.h>

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

}  // namespace attention_jxl

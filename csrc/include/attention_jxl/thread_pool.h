// libjxl worker threads kept across calls, for callers that encode or decode
// many images: starting a set of threads for every call is then avoided.
#pragma once

#include <cstddef>
#include <memory>

#include "attention_jxl/export.h"

namespace attention_jxl {

// One call uses the pool at a time: concurrent calls given the same pool take
// turns (each waits for the threads), so a server gives each of its worker
// threads a pool of its own. A pool must outlive the calls that use it.
class ATTENTION_JXL_EXPORT ThreadPool {
 public:
  // `threads` workers; 0 means one per core. Throws Error(kInvalidArgument)
  // for a negative count, Error(kInternal) when threads cannot be started.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  size_t threads() const;

 private:
  friend class JxlRunner;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace attention_jxl

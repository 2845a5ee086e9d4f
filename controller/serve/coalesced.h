// One rendering shared by concurrent requests. /status renders every resource
// (hundreds of KiB at a few hundred resources) and /metrics collects every family
// under their locks; 50 scrapers each rendering their own copy take the CPU and the
// locks the reconcile loop needs. A Coalesced runs at most one rendering at a time:
// a request waits for the first rendering that starts after it arrived (so it never
// gets an answer older than itself) and every request waiting shares that one.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace converge::serve {

// Thread-safe.
class Coalesced {
 public:
  explicit Coalesced(std::function<std::string()> render) : render_(std::move(render)) {}

  // A rendering started after this call began. Rethrows what the rendering threw
  // (to every request that waited on it).
  std::shared_ptr<const std::string> Get();
  // Renderings started so far, and requests waiting for one (for tests).
  uint64_t renders() const;
  int waiting() const;

 private:
  std::function<std::string()> render_;
  mutable std::mutex mu_;
  std::condition_variable done_;
  bool rendering_ = false;
  int waiting_ = 0;
  uint64_t started_ = 0;   // renderings started
  uint64_t finished_ = 0;  // the number of the latest finished one
  std::shared_ptr<const std::string> last_;
  std::exception_ptr error_;  // what the latest finished one threw
};

}  // namespace converge::serve

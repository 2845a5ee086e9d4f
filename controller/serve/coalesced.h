// One rendering shared by concurrent requests. /status renders every resource
// (hundreds of KiB at a few hundred resources) and /metrics collects every family
// under their locks; 50 scrapers each rendering their own copy take the CPU and the
// locks the reconcile loop needs. A Coalesced runs at most one rendering at a time:
// a request waits for the first rendering that starts after it arrived (so it never
// gets an answer older than itself) and every request waiting shares that one.
//
// The renderings run on a thread of their own at a lower scheduling priority (nice
// +kRenderNice over the process's): when scrapers and the reconcile loop want the
// same CPU, reconciling goes first and the answers wait.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace converge::serve {

// Thread-safe.
class Coalesced {
 public:
  static constexpr int kRenderNice = 10;

  explicit Coalesced(std::function<std::string()> render);
  // Requests still waiting get a std::runtime_error.
  ~Coalesced();
  Coalesced(const Coalesced&) = delete;
  Coalesced& operator=(const Coalesced&) = delete;

  // A rendering started after this call began. Rethrows what the rendering threw
  // (to every request that waited on it).
  std::shared_ptr<const std::string> Get();
  // Renderings started so far, and requests waiting for one (for tests).
  uint64_t renders() const;
  int waiting() const;
  // The destructor has begun (for tests).
  bool stopping() const;

 private:
  void RenderLoop();

  std::function<std::string()> render_;
  mutable std::mutex mu_;
  std::condition_variable wanted_;  // the render thread waits for requests
  std::condition_variable done_;    // requests wait for renderings
  bool stopping_ = false;           // the destructor has begun: no rendering starts any more
  bool stopped_ = false;            // the render thread has ended
  int waiting_ = 0;
  uint64_t requested_ = 0;  // the number of the latest rendering a request waits for
  uint64_t started_ = 0;    // renderings started
  uint64_t finished_ = 0;   // the number of the latest finished one
  std::shared_ptr<const std::string> last_;
  std::exception_ptr error_;  // what the latest finished one threw
  std::thread thread_;        // last: started once the rest is initialised
};

}  // namespace converge::serve

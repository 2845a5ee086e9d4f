#include "serve/coalesced.h"

#include <sys/resource.h>
#include <unistd.h>

#include <stdexcept>

namespace converge::serve {

Coalesced::Coalesced(std::function<std::string()> render)
    : render_(std::move(render)), thread_([this] { RenderLoop(); }) {}

Coalesced::~Coalesced() {
  std::unique_lock lock(mu_);
  stopping_ = true;
  wanted_.notify_all();
  lock.unlock();
  thread_.join();  // after the rendering under way, if any, is published
  lock.lock();
  stopped_ = true;
  done_.notify_all();
  // Requests still inside Get() leave before the members they use go.
  done_.wait(lock, [&] { return waiting_ == 0; });
}

std::shared_ptr<const std::string> Coalesced::Get() {
  std::unique_lock lock(mu_);
  // A rendering under way started before this request: wait for the next one.
  const uint64_t wanted = started_ + 1;
  if (requested_ < wanted && !stopping_) {
    requested_ = wanted;
    wanted_.notify_one();
  }
  ++waiting_;
  done_.wait(lock, [&] {
    return finished_ >= wanted || stopped_ || (stopping_ && started_ == finished_);
  });
  --waiting_;
  if (stopping_ && waiting_ == 0) done_.notify_all();  // the destructor waits for the last one
  if (finished_ < wanted) throw std::runtime_error("the server is shutting down");
  if (error_) std::rethrow_exception(error_);
  return last_;
}

void Coalesced::RenderLoop() {
  // Linux schedules threads, and nice applies to the thread it names: raising it
  // needs no privilege. Failing leaves the thread at the process's priority.
  ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()),
                ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid())) + kRenderNice);
  std::unique_lock lock(mu_);
  while (true) {
    wanted_.wait(lock, [&] { return stopping_ || requested_ > started_; });
    if (stopping_) return;
    const uint64_t mine = ++started_;
    lock.unlock();
    std::shared_ptr<const std::string> body;
    std::exception_ptr error;
    try {
      body = std::make_shared<const std::string>(render_());
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    last_ = std::move(body);
    error_ = error;
    finished_ = mine;
    done_.notify_all();
  }
}

uint64_t Coalesced::renders() const {
  std::lock_guard lock(mu_);
  return started_;
}

int Coalesced::waiting() const {
  std::lock_guard lock(mu_);
  return waiting_;
}

bool Coalesced::stopping() const {
  std::lock_guard lock(mu_);
  return stopping_;
}

}  // namespace converge::serve

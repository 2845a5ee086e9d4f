#include "serve/coalesced.h"

namespace converge::serve {

std::shared_ptr<const std::string> Coalesced::Get() {
  std::unique_lock lock(mu_);
  // A rendering under way started before this request: wait for the next one.
  const uint64_t wanted = started_ + 1;
  while (finished_ < wanted) {
    if (rendering_) {
      ++waiting_;
      done_.wait(lock);
      --waiting_;
      continue;
    }
    rendering_ = true;
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
    rendering_ = false;
    done_.notify_all();
  }
  if (error_) std::rethrow_exception(error_);
  return last_;
}

uint64_t Coalesced::renders() const {
  std::lock_guard lock(mu_);
  return started_;
}

int Coalesced::waiting() const {
  std::lock_guard lock(mu_);
  return waiting_;
}

}  // namespace converge::serve

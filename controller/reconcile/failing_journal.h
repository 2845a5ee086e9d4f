// A Journal for tests whose writes fail on request (a full disk, a read-only
// state dir), in front of an in-memory journal. Test-only.
#pragma once

#include <mutex>
#include <optional>
#include <vector>

#include "reconcile/journal.h"

namespace converge::reconcile::testing {

class FailingJournal : public Journal {
 public:
  // Every Record / Clear fails with `error` until the matching Succeed... call.
  void FailRecords(Error error) {
    std::lock_guard lock(mu_);
    record_error_ = std::move(error);
  }
  void FailClears(Error error) {
    std::lock_guard lock(mu_);
    clear_error_ = std::move(error);
  }
  void SucceedClears() {
    std::lock_guard lock(mu_);
    clear_error_.reset();
  }
  int ClearAttempts() const {
    std::lock_guard lock(mu_);
    return clear_attempts_;
  }

  Status Record(const Intent& intent) override {
    {
      std::lock_guard lock(mu_);
      if (record_error_) return std::unexpected(*record_error_);
    }
    return memory_.Record(intent);
  }
  Status Clear(const Intent& intent) override {
    {
      std::lock_guard lock(mu_);
      ++clear_attempts_;
      if (clear_error_) return std::unexpected(*clear_error_);
    }
    return memory_.Clear(intent);
  }
  std::vector<Intent> Pending() const override { return memory_.Pending(); }

 private:
  mutable std::mutex mu_;
  std::optional<Error> record_error_, clear_error_;
  int clear_attempts_ = 0;
  MemoryJournal memory_;
};

}  // namespace converge::reconcile::testing

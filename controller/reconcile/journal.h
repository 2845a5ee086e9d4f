// The create-intent journal: every create is recorded durably before its call and
// cleared once its outcome is known, so a lost answer (timeout, reset, crash)
// never becomes a second resource. After a restart, pending intents tell the
// controller to list by name and adopt before it may create again.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"

namespace converge::reconcile {

struct Intent {
  std::string provider;
  std::string kind;  // "ContainerInstance" | "TiOneNotebook"
  std::string name;
  int64_t created_unix_ms = 0;  // wall time the intent was recorded
  // "create", or "stop" / "delete" for a prune (reconcile/prune.h); part of the
  // key, so a resource's create and delete intents are distinct.
  std::string action = "create";
  std::string Key() const {
    return provider + "/" + kind + "/" + name + (action == "create" ? "" : "#" + action);
  }
};

// Thread-safe.
class Journal {
 public:
  virtual ~Journal() = default;
  // Durable on return (fsync'd). An error (kIOError, naming the file and the
  // state dir) when it could not be written; the caller then makes no call and
  // reports the error on the resource's Synced condition.
  virtual Status Record(const Intent& intent) = 0;
  // Forgets the intent once the outcome is known (created, adopted, or proven not
  // created). Idempotent. When it fails the intent stays pending: the caller logs
  // the error with the intent's key, and the next pass treats the resource as a
  // create whose answer was lost, so it lists by name and adopts what it finds
  // (never a second create). Need not be durable: a clear lost in a crash leaves
  // the intent pending, which the same path resolves after the restart.
  virtual Status Clear(const Intent& intent) = 0;
  virtual std::vector<Intent> Pending() const = 0;
};

// One small JSON file per pending intent under DIR/intents/, written with
// write-temp + fsync + rename + fsync(dir). Holds an exclusive flock on DIR/lock
// for its lifetime so two controllers cannot share a state dir.
class FileJournal : public Journal {
 public:
  // Creates DIR if needed and loads pending intents. An error when the dir is
  // unusable (kIOError), holds an unreadable intent file (kIOError) or is locked
  // by another process (kFailedPrecondition).
  static Result<std::unique_ptr<FileJournal>> Open(const std::string& dir);
  ~FileJournal() override;

  Status Record(const Intent& intent) override;
  Status Clear(const Intent& intent) override;
  std::vector<Intent> Pending() const override;

 private:
  FileJournal(std::string dir, int lock_fd) : dir_(std::move(dir)), lock_fd_(lock_fd) {}
  std::string PathOf(const Intent& intent) const;
  // Makes the caller's finished rename durable: one fsync of the intents
  // directory serves every rename finished before it started (group commit).
  Status SyncDirectory();

  std::string dir_;
  int lock_fd_;
  mutable std::mutex mu_;  // guards pending_
  std::map<std::string, Intent> pending_;
  std::mutex sync_mu_;  // guards the sync_ fields
  std::condition_variable sync_cv_;
  bool syncing_ = false;
  uint64_t sync_requested_ = 0, sync_done_ = 0, sync_failed_ = 0;
  Error sync_error_;
};

// In memory, for plan (which never creates) and tests.
class MemoryJournal : public Journal {
 public:
  Status Record(const Intent& intent) override;
  Status Clear(const Intent& intent) override;
  std::vector<Intent> Pending() const override;

 private:
  mutable std::mutex mu_;
  std::map<std::string, Intent> pending_;
};

}  // namespace converge::reconcile

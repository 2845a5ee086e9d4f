// The create-intent journal: every create is recorded durably before its call and
// cleared once its outcome is known, so a lost answer (timeout, reset, crash)
// never becomes a second resource. After a restart, pending intents tell the
// controller to list by name and adopt before it may create again.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/clock.h"

namespace converge::reconcile {

struct Intent {
  std::string provider;
  std::string kind;  // "ContainerInstance" | "TiOneNotebook"
  std::string name;
  int64_t created_unix_ms = 0;  // wall time the intent was recorded
  std::string Key() const { return provider + "/" + kind + "/" + name; }
};

// Thread-safe.
class Journal {
 public:
  virtual ~Journal() = default;
  // Durable on return (fsync'd). False with `error` when it could not be written;
  // the caller must then not make the call.
  virtual bool Record(const Intent& intent, std::string* error) = 0;
  // Forgets the intent once the outcome is known (created, adopted, or proven not
  // created). Idempotent.
  virtual bool Clear(const Intent& intent, std::string* error) = 0;
  virtual std::vector<Intent> Pending() const = 0;
};

// One small JSON file per pending intent under DIR/intents/, written with
// write-temp + fsync + rename + fsync(dir). Holds an exclusive flock on DIR/lock
// for its lifetime so two controllers cannot share a state dir.
class FileJournal : public Journal {
 public:
  // Creates DIR if needed and loads pending intents. nullptr with `error` when the
  // dir is unusable or locked by another process.
  static std::unique_ptr<FileJournal> Open(const std::string& dir, std::string* error);
  ~FileJournal() override;

  bool Record(const Intent& intent, std::string* error) override;
  bool Clear(const Intent& intent, std::string* error) override;
  std::vector<Intent> Pending() const override;

 private:
  FileJournal(std::string dir, int lock_fd) : dir_(std::move(dir)), lock_fd_(lock_fd) {}
  std::string PathOf(const Intent& intent) const;

  std::string dir_;
  int lock_fd_;
  mutable std::mutex mu_;
  std::map<std::string, Intent> pending_;
};

// In memory, for plan (which never creates) and tests.
class MemoryJournal : public Journal {
 public:
  bool Record(const Intent& intent, std::string* error) override;
  bool Clear(const Intent& intent, std::string* error) override;
  std::vector<Intent> Pending() const override;

 private:
  mutable std::mutex mu_;
  std::map<std::string, Intent> pending_;
};

}  // namespace converge::reconcile

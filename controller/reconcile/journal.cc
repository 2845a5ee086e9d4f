#include "reconcile/journal.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "base/write_all.h"

namespace converge::reconcile {
namespace fs = std::filesystem;
namespace {

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

// File names keep [A-Za-z0-9._-] and hex-escape the rest.
std::string Escape(const std::string& s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '.' || c == '-' || c == '_') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

// Every journal failure is a local file problem the operator fixes in the state dir.
std::unexpected<Error> IOError(const std::string& what) {
  return std::unexpected(
      Error::IOError(Errno(what) + " (check the state dir's permissions and free space)"));
}

Status FsyncPath(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0) return IOError("open " + path);
  const bool ok = ::fsync(fd) == 0;
  Status result = ok ? Status{} : Status{IOError("fsync " + path)};
  ::close(fd);
  return result;
}

}  // namespace

Result<std::unique_ptr<FileJournal>> FileJournal::Open(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(fs::path(dir) / "intents", ec);
  if (ec) {
    return std::unexpected(Error::IOError("state dir " + dir + ": " + ec.message() +
                                          " (check --state-dir and permissions)"));
  }
  const std::string lock_path = (fs::path(dir) / "lock").string();
  const int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0) return IOError("state dir lock " + lock_path);
  if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd);
    return std::unexpected(Error::FailedPrecondition(
        "state dir " + dir +
        " is in use by another converge process (one controller per state dir; stop the other "
        "or use another --state-dir)"));
  }
  std::unique_ptr<FileJournal> journal(new FileJournal(dir, lock_fd));
  for (const auto& entry : fs::directory_iterator(fs::path(dir) / "intents", ec)) {
    if (entry.path().extension() != ".json") continue;  // leftovers of an interrupted write
    std::ifstream in(entry.path());
    nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) {
      return std::unexpected(Error::IOError(
          "state dir: unreadable intent file " + entry.path().string() +
          " (inspect it; delete it only if you know the create it records did not happen)"));
    }
    Intent intent{j.value("provider", ""), j.value("kind", ""), j.value("name", ""),
                  j.value("createdUnixMs", int64_t{0}), j.value("action", "create")};
    journal->pending_[intent.Key()] = intent;
  }
  return journal;
}

FileJournal::~FileJournal() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

std::string FileJournal::PathOf(const Intent& intent) const {
  return (fs::path(dir_) / "intents" /
          (Escape(intent.provider) + "~" + Escape(intent.kind) + "~" + Escape(intent.name) +
           (intent.action == "create" ? "" : "~" + Escape(intent.action)) + ".json"))
      .string();
}

Status FileJournal::Record(const Intent& intent) {
  const std::string path = PathOf(intent);
  const std::string tmp = path + ".tmp";
  const std::string body = nlohmann::json{
      {"provider", intent.provider},
      {"kind", intent.kind},
      {"name", intent.name},
      {"createdUnixMs", intent.created_unix_ms},
      {"action",
       intent.action}}.dump();
  // Each intent has its own file, so concurrent creates, stops and deletes write
  // and fsync in parallel; only the directory's fsync is shared (SyncDirectory).
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return IOError("write intent " + tmp);
  const bool written = WriteAll(fd, body) && ::fsync(fd) == 0;
  Status write_error = written ? Status{} : Status{IOError("write intent " + tmp)};
  ::close(fd);
  if (!write_error) return write_error;
  if (::rename(tmp.c_str(), path.c_str()) != 0) return IOError("rename intent " + path);
  if (Status s = SyncDirectory(); !s) return s;
  std::lock_guard lock(mu_);
  pending_[intent.Key()] = intent;
  return {};
}

Status FileJournal::SyncDirectory() {
  std::unique_lock lock(sync_mu_);
  const uint64_t mine = ++sync_requested_;  // my rename is done before this
  while (sync_done_ < mine) {
    if (sync_failed_ >= mine) return std::unexpected(sync_error_);
    if (syncing_) {
      sync_cv_.wait(lock);
      continue;
    }
    // One fsync makes every rename requested so far durable.
    syncing_ = true;
    const uint64_t upto = sync_requested_;
    lock.unlock();
    Status s = FsyncPath((fs::path(dir_) / "intents").string(), O_RDONLY | O_DIRECTORY);
    lock.lock();
    syncing_ = false;
    if (s) {
      sync_done_ = upto;
    } else {
      sync_failed_ = upto;
      sync_error_ = s.error();
    }
    sync_cv_.notify_all();
  }
  return {};
}

// No fsync: a clear lost in a crash leaves the intent pending, and a pending
// intent is resolved by listing by name before any create, so losing a clear
// never makes a second create; it only costs a lookup after the restart.
Status FileJournal::Clear(const Intent& intent) {
  const std::string path = PathOf(intent);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return IOError("remove intent " + path);
  std::lock_guard lock(mu_);
  pending_.erase(intent.Key());
  return {};
}

std::vector<Intent> FileJournal::Pending() const {
  std::lock_guard lock(mu_);
  std::vector<Intent> out;
  for (const auto& [key, intent] : pending_) out.push_back(intent);
  return out;
}

Status MemoryJournal::Record(const Intent& intent) {
  std::lock_guard lock(mu_);
  pending_[intent.Key()] = intent;
  return {};
}

Status MemoryJournal::Clear(const Intent& intent) {
  std::lock_guard lock(mu_);
  pending_.erase(intent.Key());
  return {};
}

std::vector<Intent> MemoryJournal::Pending() const {
  std::lock_guard lock(mu_);
  std::vector<Intent> out;
  for (const auto& [key, intent] : pending_) out.push_back(intent);
  return out;
}

}  // namespace converge::reconcile

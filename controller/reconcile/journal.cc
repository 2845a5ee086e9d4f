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

bool FsyncPath(const std::string& path, int flags, std::string* error) {
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0) {
    *error = Errno("open " + path);
    return false;
  }
  const bool ok = ::fsync(fd) == 0;
  if (!ok) *error = Errno("fsync " + path);
  ::close(fd);
  return ok;
}

}  // namespace

std::unique_ptr<FileJournal> FileJournal::Open(const std::string& dir, std::string* error) {
  std::error_code ec;
  fs::create_directories(fs::path(dir) / "intents", ec);
  if (ec) {
    *error = "state dir " + dir + ": " + ec.message() + " (check --state-dir and permissions)";
    return nullptr;
  }
  const std::string lock_path = (fs::path(dir) / "lock").string();
  const int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0) {
    *error = Errno("state dir lock " + lock_path);
    return nullptr;
  }
  if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd);
    *error = "state dir " + dir +
             " is in use by another converge process (one controller per state dir; stop the other "
             "or use another --state-dir)";
    return nullptr;
  }
  std::unique_ptr<FileJournal> journal(new FileJournal(dir, lock_fd));
  for (const auto& entry : fs::directory_iterator(fs::path(dir) / "intents", ec)) {
    if (entry.path().extension() != ".json") continue;  // leftovers of an interrupted write
    std::ifstream in(entry.path());
    nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) {
      *error = "state dir: unreadable intent file " + entry.path().string() +
               " (inspect it; delete it only if you know the create it records did not happen)";
      return nullptr;
    }
    Intent intent{j.value("provider", ""), j.value("kind", ""), j.value("name", ""),
                  j.value("createdUnixMs", int64_t{0})};
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
           ".json"))
      .string();
}

bool FileJournal::Record(const Intent& intent, std::string* error) {
  const std::string path = PathOf(intent);
  const std::string tmp = path + ".tmp";
  const std::string body = nlohmann::json{
      {"provider", intent.provider},
      {"kind", intent.kind},
      {"name", intent.name},
      {"createdUnixMs",
       intent.created_unix_ms}}.dump();
  std::lock_guard lock(mu_);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    *error = Errno("write intent " + tmp);
    return false;
  }
  const bool written = ::write(fd, body.data(), body.size()) == static_cast<ssize_t>(body.size()) &&
                       ::fsync(fd) == 0;
  if (!written) *error = Errno("write intent " + tmp);
  ::close(fd);
  if (!written) return false;
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    *error = Errno("rename intent " + path);
    return false;
  }
  if (!FsyncPath((fs::path(dir_) / "intents").string(), O_RDONLY | O_DIRECTORY, error)) {
    return false;
  }
  pending_[intent.Key()] = intent;
  return true;
}

bool FileJournal::Clear(const Intent& intent, std::string* error) {
  std::lock_guard lock(mu_);
  const std::string path = PathOf(intent);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    *error = Errno("remove intent " + path);
    return false;
  }
  pending_.erase(intent.Key());
  return FsyncPath((fs::path(dir_) / "intents").string(), O_RDONLY | O_DIRECTORY, error);
}

std::vector<Intent> FileJournal::Pending() const {
  std::lock_guard lock(mu_);
  std::vector<Intent> out;
  for (const auto& [key, intent] : pending_) out.push_back(intent);
  return out;
}

bool MemoryJournal::Record(const Intent& intent, std::string*) {
  std::lock_guard lock(mu_);
  pending_[intent.Key()] = intent;
  return true;
}

bool MemoryJournal::Clear(const Intent& intent, std::string*) {
  std::lock_guard lock(mu_);
  pending_.erase(intent.Key());
  return true;
}

std::vector<Intent> MemoryJournal::Pending() const {
  std::lock_guard lock(mu_);
  std::vector<Intent> out;
  for (const auto& [key, intent] : pending_) out.push_back(intent);
  return out;
}

}  // namespace converge::reconcile

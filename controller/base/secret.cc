#include "base/secret.h"

#include <sys/stat.h>

#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>

#include "base/log.h"
#include "base/redact.h"

namespace converge {
namespace {

// What identifies one version of a file: a Secret volume update or an atomic
// rename gives a new inode; an in-place edit a new mtime/ctime or size.
struct Version {
  dev_t dev = 0;
  ino_t ino = 0;
  off_t size = 0;
  timespec mtime{};
  timespec ctime{};
  bool operator==(const Version& o) const {
    return dev == o.dev && ino == o.ino && size == o.size && mtime.tv_sec == o.mtime.tv_sec &&
           mtime.tv_nsec == o.mtime.tv_nsec && ctime.tv_sec == o.ctime.tv_sec &&
           ctime.tv_nsec == o.ctime.tv_nsec;
  }
};

std::optional<Version> Stat(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return Version{st.st_dev, st.st_ino, st.st_size, st.st_mtim, st.st_ctim};
}

// The file's content without trailing newlines, or the error (label and path,
// never a value).
Result<std::string> ReadSecretFile(const std::string& path, const std::string& label) {
  std::ifstream in(path);
  if (!in) {
    return std::unexpected(Error::IOError(label + ": cannot read secret file " + path +
                                          "; check the path and its permissions"));
  }
  std::stringstream buf;
  buf << in.rdbuf();
  std::string value = buf.str();
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  if (value.empty()) {
    return std::unexpected(Error::InvalidArgument(label + ": secret file " + path +
                                                  " is empty; write the secret to it"));
  }
  return value;
}

}  // namespace

struct Secret::File {
  std::string path;
  std::string label;
  std::mutex mu;
  std::string value;               // the last good value
  std::optional<Version> version;  // of the last read, good or not
  std::string problem;             // why the newest content is not in use

  void Refresh() {
    const std::optional<Version> now = Stat(path);
    if (now && version && *now == *version) return;
    version = now;
    Result<std::string> read = ReadSecretFile(path, label);
    if (!read) {
      std::string why = read.error().message;
      // "...; check ..." -> "...; the value read before is still used; check ..."
      const size_t hint = why.find("; ");
      why.insert(hint == std::string::npos ? why.size() : hint,
                 "; the value read before is still used");
      if (problem.empty()) {
        log::Warn("secret file cannot be used; keeping the value read before", {{"error", why}});
      }
      problem = std::move(why);
      return;
    }
    const bool changed = *read != value;
    if (changed) RegisterSecret(*read);
    if (!problem.empty() || changed) {
      log::Info(changed ? "secret file changed; using its new value"
                        : "secret file readable again; its value is unchanged",
                {{"secret", label}, {"file", path}});
    }
    problem.clear();
    value = std::move(*read);
  }
};

Secret::Secret(std::string value) : value_(std::move(value)) {}
Secret::Secret(const char* value) : value_(value == nullptr ? "" : value) {}

Result<Secret> Secret::FromFile(const std::string& path, const std::string& label) {
  auto file = std::make_shared<File>();
  file->path = path;
  file->label = label;
  file->version = Stat(path);
  Result<std::string> read = ReadSecretFile(path, label);
  if (!read) return std::unexpected(read.error());
  RegisterSecret(*read);
  file->value = std::move(*read);
  Secret s;
  s.file_ = std::move(file);
  return s;
}

std::string Secret::Current() const {
  if (file_ == nullptr) return value_;
  std::lock_guard lock(file_->mu);
  file_->Refresh();
  return file_->value;
}

std::string Secret::Problem() const {
  if (file_ == nullptr) return "";
  std::lock_guard lock(file_->mu);
  file_->Refresh();
  return file_->problem;
}

std::string Secret::Identity() const { return file_ == nullptr ? value_ : "file:" + file_->path; }

}  // namespace converge

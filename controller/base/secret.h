// A secret's current value, as the cloud adapters use it: either fixed (an
// environment variable, the simulator's test credentials) or a file that is
// re-read when it changes, so a rotated token or key is used without a restart.
#pragma once

#include <memory>
#include <string>

#include "base/result.h"

namespace converge {

// A copyable handle; copies share the file's state. Thread-safe.
//
// How a change is noticed: before each use, Current() stats the path (following
// symlinks, so a Kubernetes Secret volume's `..data` symlink swap is seen as a new
// file) and re-reads it when the resolved file's device, inode, size, mtime or
// ctime differ from the last read. One stat per cloud request; portable (no
// inotify), and nothing runs between requests.
//
// A file that becomes unreadable or empty keeps the last value read: calls go on
// with it, Problem() says why (never the value) and one warning is logged until
// the file is readable again.
class Secret {
 public:
  Secret() = default;
  // A fixed value; not registered for redaction (the caller does).
  Secret(std::string value);  // NOLINT(google-explicit-constructor): a value is a secret
  Secret(const char* value);  // NOLINT(google-explicit-constructor)

  // Reads `path` now and registers the value for redaction (and every later value).
  // `label` names the secret in messages, e.g. "spec.token". Errors name the label
  // and the file, never a value: kIOError "spec.token: cannot read secret file
  // /x; check the path and its permissions", kInvalidArgument "spec.token: secret
  // file /x is empty; write the secret to it".
  static Result<Secret> FromFile(const std::string& path, const std::string& label);

  // The value to use now (see the class comment). "" for an empty fixed value.
  std::string Current() const;
  bool empty() const { return file_ == nullptr && value_.empty(); }
  // Checks the file as Current() does, then says why its newest content is not in
  // use ("" when it is, and always for a fixed value): "spec.token: cannot read secret file /x;
  // the value read before is still used; check the path and its permissions".
  std::string Problem() const;
  // What identifies the secret's source: the fixed value, or "file:" + path. For
  // change detection of a configuration; never printed.
  std::string Identity() const;

 private:
  struct File;
  std::string value_;
  std::shared_ptr<File> file_;
};

}  // namespace converge

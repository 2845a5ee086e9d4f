// Writing a whole buffer to a file descriptor: the journal's intents and the
// inventory are written with it before their fsync.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <string_view>

namespace converge {

// Writes all of `text` to `fd`, resuming after short writes and signals; false
// (errno set) when a write fails.
inline bool WriteAll(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    text.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace converge

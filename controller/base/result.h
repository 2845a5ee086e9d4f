// The one error convention of Converge (docs/architecture.md, "Errors"):
// everything that can fail returns Result<T> (a value or an error) or Status (no
// value), in the manner of abseil's StatusOr and leveldb's Status. Both are
// std::expected underneath, marked [[nodiscard]] so an ignored failure is a
// compiler warning.
//
// The error type says what went wrong, where, and what to do, in one message
// meant for a person, plus a code for callers that branch on the kind of failure
// and a retryable flag. The cloud layer uses the same Result with its own error
// (cloud::Error), which adds the wire details (operation, the cloud's code, HTTP
// status, RequestId, whether a mutating call may have been applied).
// Manifest validation keeps manifest::LoadResult: it reports many located
// diagnostics at once, not one error.
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace converge {

struct Error {
  enum class Code {
    kInvalidArgument,     // the input is wrong (a flag, a file's content); fix it, do not retry
    kNotFound,            // what was named does not exist (a file, a resource, a route)
    kFailedPrecondition,  // the system is not in a state for this (a state dir locked by another process)
    kPermissionDenied,    // not allowed (file permissions, a non-loopback peer)
    kUnavailable,         // transient (a port in use, a peer not answering): retry with backoff
    kIOError,             // reading or writing local files failed
    kInternal,            // a broken invariant or an answer that cannot be understood
  };

  Code code = Code::kInternal;
  std::string message;  // what, where, what to do; never a secret
  bool retryable = false;

  static Error InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Error NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Error FailedPrecondition(std::string m) {
    return {Code::kFailedPrecondition, std::move(m)};
  }
  static Error PermissionDenied(std::string m) { return {Code::kPermissionDenied, std::move(m)}; }
  static Error Unavailable(std::string m) { return {Code::kUnavailable, std::move(m), true}; }
  static Error IOError(std::string m) { return {Code::kIOError, std::move(m)}; }
  static Error Internal(std::string m) { return {Code::kInternal, std::move(m)}; }

  const std::string& ToString() const { return message; }
};

// A value of T, or an error of E. Construct the error side with
// std::unexpected(Error::IOError("...")); test with `if (!r)`, read r.error().
template <typename T, typename E = Error>
class [[nodiscard]] Result : public std::expected<T, E> {
 public:
  using std::expected<T, E>::expected;
  Result(std::expected<T, E> e) : std::expected<T, E>(std::move(e)) {}  // NOLINT: implicit
};

// Success without a value, or an error: `return {};` is success.
using Status = Result<void>;

}  // namespace converge

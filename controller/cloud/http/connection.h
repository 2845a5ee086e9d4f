// One client connection of the socket transport: a TCP socket (non-blocking,
// every wait bounded by a deadline through poll) and, for https, its TLS session.
#pragma once

#include <openssl/ssl.h>
#include <signal.h>

#include <chrono>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cloud/http/tls_client.h"
#include "cloud/http/transport.h"
#include "cloud/http/transport_failure.h"

namespace converge::cloud::http {

using SteadyClock = std::chrono::steady_clock;
using Deadline = SteadyClock::time_point;

// Why a read or write on an open connection did not complete.
struct IoFailure {
  bool timed_out = false;
  int error = 0;          // errno; 0 (with no tls_error): the peer closed the connection
  std::string tls_error;  // OpenSSL's reason when TLS failed
};

class Connection {
 public:
  // Resolves endpoint.host (IPv4 and IPv6), connects to its addresses in turn
  // until one accepts or connect_deadline passes, and for https (`tls` given)
  // completes the handshake by `deadline`. The failure's phase is kResolve,
  // kConnect or kTls. The lookup itself is getaddrinfo's, not bounded by the
  // deadlines.
  static std::expected<std::unique_ptr<Connection>, ExchangeFailure> Open(const Endpoint& endpoint,
                                                                          const TlsClient* tls,
                                                                          Deadline connect_deadline,
                                                                          Deadline deadline);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Writes all of `data` by `deadline`.
  std::optional<IoFailure> Write(std::string_view data, Deadline deadline);
  // Appends what arrives (at least one byte, at most `most`) to `buffer`,
  // waiting until `deadline`. Bytes are received into `buffer` itself.
  std::optional<IoFailure> Read(std::string& buffer, Deadline deadline, size_t most = 16384);
  // True when nothing has arrived on this idle connection and the peer has not
  // closed it: it may carry another request.
  bool IdleAndOpen() const;

  Deadline idle_since{};  // when it was last given back to the pool

 private:
  Connection(int fd, SSL* ssl) : fd_(fd), ssl_(ssl) {}
  // Waits for the TLS operation that returned `result` to be able to go on.
  std::optional<IoFailure> AwaitTls(int result, Deadline deadline);

  int fd_;
  SSL* ssl_;  // nullptr for http
};

// Blocks SIGPIPE on this thread while it lives, and discards one raised meanwhile:
// OpenSSL writes to its socket with write(), which raises SIGPIPE (whose default
// action ends the process) when the peer has gone.
class SigpipeBlocked {
 public:
  SigpipeBlocked();
  ~SigpipeBlocked();
  SigpipeBlocked(const SigpipeBlocked&) = delete;
  SigpipeBlocked& operator=(const SigpipeBlocked&) = delete;

 private:
  sigset_t pipe_;
  sigset_t previous_;
  bool was_pending_ = false;
};

}  // namespace converge::cloud::http

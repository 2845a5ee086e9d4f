#include "cloud/http/connection.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>

#include <algorithm>
#include <cerrno>
#include <climits>

namespace converge::cloud::http {
namespace {

enum class Wait { kReady, kTimeout, kError };

// Waits until `fd` has one of `events` or `deadline` passes.
Wait WaitFor(int fd, short events, Deadline deadline) {
  while (true) {
    const auto left = deadline - SteadyClock::now();
    if (left <= SteadyClock::duration::zero()) return Wait::kTimeout;
    // Rounded up: a wait never ends just before the deadline and spins.
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
    pollfd p{fd, events, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::min<long long>(ms, INT_MAX)));
    if (ready > 0) return Wait::kReady;
    if (ready < 0 && errno != EINTR) return Wait::kError;
  }
}

IoFailure WaitFailure(Wait wait) {
  IoFailure f;
  f.timed_out = wait == Wait::kTimeout;
  if (!f.timed_out) f.error = errno;
  return f;
}

// A socket connected to `address`, or the errno why not (ETIMEDOUT when the
// deadline passed).
std::expected<int, int> ConnectTo(const addrinfo& address, Deadline deadline) {
  const int fd = ::socket(address.ai_family, address.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::unexpected(errno);
  int error = 0;
  if (::connect(fd, address.ai_addr, address.ai_addrlen) != 0) {
    error = errno;
    if (error == EINPROGRESS) {
      const Wait wait = WaitFor(fd, POLLOUT, deadline);
      socklen_t len = sizeof error;
      if (wait == Wait::kTimeout) {
        error = ETIMEDOUT;
      } else if (wait == Wait::kError) {
        error = errno;
      } else if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0) {
        error = errno;
      }
    }
  }
  if (error != 0) {
    ::close(fd);
    return std::unexpected(error);
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

std::expected<int, ExchangeFailure> ConnectToHost(const Endpoint& endpoint, Deadline deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  const std::string port = std::to_string(endpoint.port != 0           ? endpoint.port
                                          : endpoint.scheme == "https" ? 443
                                                                       : 80);
  addrinfo* addresses = nullptr;
  const int resolved = ::getaddrinfo(endpoint.host.c_str(), port.c_str(), &hints, &addresses);
  if (resolved != 0) {
    ExchangeFailure f;
    f.phase = Phase::kResolve;
    f.error = resolved;
    return std::unexpected(f);
  }
  ExchangeFailure f;
  f.phase = Phase::kConnect;
  f.error = EADDRNOTAVAIL;
  for (const addrinfo* a = addresses; a != nullptr; a = a->ai_next) {
    std::expected<int, int> fd = ConnectTo(*a, deadline);
    if (fd) {
      ::freeaddrinfo(addresses);
      return *fd;
    }
    f.error = fd.error();
    if (f.error == ETIMEDOUT && SteadyClock::now() >= deadline) break;
  }
  ::freeaddrinfo(addresses);
  f.timed_out = f.error == ETIMEDOUT;
  if (f.timed_out) f.error = 0;
  return std::unexpected(f);
}

// What a failed TLS call (`ssl_error` from SSL_get_error) means.
IoFailure TlsFailure(int ssl_error) {
  IoFailure f;
  const int saved_errno = errno;
  f.tls_error = TakeTlsError();
  if (ssl_error == SSL_ERROR_SYSCALL && f.tls_error.empty()) f.error = saved_errno;
  return f;
}

}  // namespace

std::expected<std::unique_ptr<Connection>, ExchangeFailure> Connection::Open(
    const Endpoint& endpoint, const TlsClient* tls, Deadline connect_deadline, Deadline deadline) {
  std::expected<int, ExchangeFailure> fd = ConnectToHost(endpoint, connect_deadline);
  if (!fd) return std::unexpected(fd.error());
  if (tls == nullptr) return std::unique_ptr<Connection>(new Connection(*fd, nullptr));

  ExchangeFailure failure;
  failure.phase = Phase::kTls;
  SSL* ssl = tls->NewSession(*fd, endpoint.host);
  if (ssl == nullptr) {
    ::close(*fd);
    failure.tls_error = "cannot start a TLS session: " + TakeTlsError();
    return std::unexpected(failure);
  }
  std::unique_ptr<Connection> connection(new Connection(*fd, ssl));
  while (true) {
    ERR_clear_error();
    const int result = SSL_connect(ssl);
    if (result == 1) return connection;
    std::optional<IoFailure> why = connection->AwaitTls(result, deadline);
    if (why) {
      failure.timed_out = why->timed_out;
      failure.error = why->error;
      failure.tls_error = why->tls_error;
      failure.certificate_problem = CertificateProblem(ssl);
      return std::unexpected(failure);
    }
  }
}

Connection::~Connection() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  ::close(fd_);
}

std::optional<IoFailure> Connection::AwaitTls(int result, Deadline deadline) {
  const int ssl_error = SSL_get_error(ssl_, result);
  if (ssl_error != SSL_ERROR_WANT_READ && ssl_error != SSL_ERROR_WANT_WRITE) {
    if (ssl_error == SSL_ERROR_ZERO_RETURN) return IoFailure{};
    return TlsFailure(ssl_error);
  }
  const Wait wait = WaitFor(fd_, ssl_error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline);
  if (wait != Wait::kReady) return WaitFailure(wait);
  return std::nullopt;
}

std::optional<IoFailure> Connection::Write(std::string_view data, Deadline deadline) {
  while (!data.empty()) {
    const size_t n = std::min<size_t>(data.size(), INT_MAX);
    if (ssl_ != nullptr) {
      ERR_clear_error();
      const int written = SSL_write(ssl_, data.data(), static_cast<int>(n));
      if (written > 0) {
        data.remove_prefix(static_cast<size_t>(written));
      } else if (std::optional<IoFailure> why = AwaitTls(written, deadline)) {
        return why;
      }
      continue;
    }
    const ssize_t sent = ::send(fd_, data.data(), n, MSG_NOSIGNAL);
    if (sent >= 0) {
      data.remove_prefix(static_cast<size_t>(sent));
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      const Wait wait = WaitFor(fd_, POLLOUT, deadline);
      if (wait != Wait::kReady) return WaitFailure(wait);
    } else if (errno != EINTR) {
      return IoFailure{.error = errno};
    }
  }
  return std::nullopt;
}

std::optional<IoFailure> Connection::Read(std::string& buffer, Deadline deadline, size_t most) {
  most = std::clamp<size_t>(most, 1, 1 << 20);
  // Receives into the buffer's new tail; `got` is what it keeps (<= 0: nothing).
  // (The size handed to the operation is not used: when the string grows,
  // GCC 12's libstdc++ hands over the new capacity, not the size asked for.)
  auto receive = [&](auto&& into) {
    const size_t had = buffer.size();
    long got = 0;
    buffer.resize_and_overwrite(had + most, [&](char* data, size_t) {
      got = into(data + had);
      return had + static_cast<size_t>(std::max(got, 0L));
    });
    return got;
  };
  while (true) {
    if (ssl_ != nullptr) {
      ERR_clear_error();
      const long got = receive([&](char* at) { return SSL_read(ssl_, at, static_cast<int>(most)); });
      if (got > 0) return std::nullopt;
      if (std::optional<IoFailure> why = AwaitTls(static_cast<int>(got), deadline)) return why;
      continue;
    }
    const long got = receive([&](char* at) { return ::recv(fd_, at, most, 0); });
    if (got > 0) return std::nullopt;
    if (got == 0) return IoFailure{};
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      const Wait wait = WaitFor(fd_, POLLIN, deadline);
      if (wait != Wait::kReady) return WaitFailure(wait);
    } else if (errno != EINTR) {
      return IoFailure{.error = errno};
    }
  }
}

SigpipeBlocked::SigpipeBlocked() {
  sigemptyset(&pipe_);
  sigaddset(&pipe_, SIGPIPE);
  sigset_t pending;
  sigpending(&pending);
  was_pending_ = sigismember(&pending, SIGPIPE) == 1;
  pthread_sigmask(SIG_BLOCK, &pipe_, &previous_);
}

SigpipeBlocked::~SigpipeBlocked() {
  sigset_t pending;
  if (!was_pending_ && sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1) {
    const timespec now{};
    sigtimedwait(&pipe_, nullptr, &now);
  }
  pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

bool Connection::IdleAndOpen() const {
  if (ssl_ != nullptr && SSL_pending(ssl_) > 0) return false;
  pollfd p{fd_, POLLIN, 0};
  return ::poll(&p, 1, 0) == 0;
}

}  // namespace converge::cloud::http

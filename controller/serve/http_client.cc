#include "serve/http_client.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "base/net.h"
#include "serve/http_head.h"

namespace converge::serve {
namespace {

using Clock = std::chrono::steady_clock;

// Answers larger than this are refused: the client reads into memory.
constexpr size_t kMaxAnswer = 256 << 20;

// strerror's text with a lowercase first letter, to go mid-sentence.
std::string ErrnoText(int error) {
  std::string text = strerror(error);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

Error Failed(std::string what) { return Error::Unavailable(std::move(what)); }

// A closed socket descriptor on destruction.
class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

int MillisLeft(Clock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 60'000));
}

// Waits for `events` on `fd` until `deadline`: true when ready (or in error).
bool Await(int fd, short events, Clock::time_point deadline) {
  while (true) {
    pollfd p{fd, events, 0};
    const int ready = ::poll(&p, 1, MillisLeft(deadline));
    if (ready > 0) return true;
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0 || Clock::now() >= deadline) return false;
  }
}

// A connected non-blocking socket to host:port (each address in turn), or why not.
Result<int> Connect(const net::HostPort& hp, Clock::time_point deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(hp.port);
  if (const int rc = ::getaddrinfo(hp.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return std::unexpected(Failed("cannot resolve \"" + hp.host + "\": " + gai_strerror(rc)));
  }
  std::string why = "no address";
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      why = ErrnoText(errno);
      continue;
    }
    int error = 0;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      error = errno;
      if (error == EINPROGRESS) {
        socklen_t len = sizeof error;
        error = Await(fd, POLLOUT, deadline) ? 0 : ETIMEDOUT;
        if (error == 0) ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len);
      }
    }
    if (error == 0) {
      ::freeaddrinfo(found);
      return fd;
    }
    ::close(fd);
    why = error == ETIMEDOUT ? "no connection within the timeout" : ErrnoText(error);
  }
  ::freeaddrinfo(found);
  return std::unexpected(Failed(why));
}

Status SendAll(int fd, std::string_view data, Clock::time_point deadline) {
  while (!data.empty()) {
    const ssize_t sent = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (sent > 0) {
      data.remove_prefix(static_cast<size_t>(sent));
    } else if (errno == EAGAIN || errno == EINTR) {
      if (!Await(fd, POLLOUT, deadline)) {
        return std::unexpected(Failed("the request could not be sent within the timeout"));
      }
    } else {
      return std::unexpected(Failed("sending the request failed: " + ErrnoText(errno)));
    }
  }
  return {};
}

enum class Got { kData, kClosed, kTimeout, kError };

Got ReceiveSome(int fd, std::string& buffer, Clock::time_point deadline, int& error) {
  while (true) {
    char chunk[16384];
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n > 0) {
      buffer.append(chunk, static_cast<size_t>(n));
      return Got::kData;
    }
    if (n == 0) return Got::kClosed;
    if (errno == EINTR) continue;
    if (errno != EAGAIN) {
      error = errno;
      return Got::kError;
    }
    if (!Await(fd, POLLIN, deadline)) return Got::kTimeout;
  }
}

// The status and headers of `head` (without its blank line), or why it is not HTTP.
std::optional<std::string> ParseAnswerHead(std::string_view head, ClientResponse& out) {
  const size_t line_end = std::min(head.find("\r\n"), head.size());
  const std::string_view line = head.substr(0, line_end);
  if (!line.starts_with("HTTP/1.") || line.size() < 12 || line[8] != ' ' ||
      !std::all_of(line.begin() + 9, line.begin() + 12,
                   [](char c) { return c >= '0' && c <= '9'; })) {
    return "the answer is not HTTP/1.x: \"" + std::string(line.substr(0, 60)) + "\"";
  }
  out.status = std::stoi(std::string(line.substr(9, 3)));
  out.headers.clear();
  if (!ParseHeaderFields(head.substr(line_end), out.headers)) {
    return "the answer has a header line without a name";
  }
  return std::nullopt;
}

std::string Waited(const ClientRequest& request) {
  return "no answer within " + std::to_string(request.timeout.count()) + " ms";
}

// The answer to `request`, read off `fd` by `deadline`.
Result<ClientResponse> ReadAnswer(int fd, const ClientRequest& request,
                                  Clock::time_point deadline) {
  ClientResponse out;
  std::string buffer;
  int error = 0;
  size_t head_end;
  while (true) {  // the head; interim (1xx) answers are skipped
    while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
      const Got got = ReceiveSome(fd, buffer, deadline, error);
      if (got == Got::kTimeout) return std::unexpected(Failed(Waited(request)));
      if (got == Got::kError) {
        return std::unexpected(Failed("reading the answer failed: " + ErrnoText(error)));
      }
      if (got == Got::kClosed) {
        return std::unexpected(Failed(buffer.empty()
                                          ? "the connection closed with no answer"
                                          : "the connection closed in the answer's headers"));
      }
      if (buffer.size() > 1 << 20) {
        return std::unexpected(Failed("the answer's head is over 1 MiB"));
      }
    }
    if (auto bad = ParseAnswerHead(std::string_view(buffer).substr(0, head_end), out)) {
      return std::unexpected(Failed(*bad));
    }
    buffer.erase(0, head_end + 4);
    if (out.status >= 200) break;
  }
  if (!out.Header("transfer-encoding").empty()) {
    return std::unexpected(Failed("the answer is chunked, which this client does not read"));
  }
  const std::string length_text = out.Header("content-length");
  const bool bodiless = request.method == "HEAD" || out.status == 204 || out.status == 304;
  std::optional<size_t> length;
  if (bodiless) {
    length = 0;
  } else if (!length_text.empty()) {
    length = ParseContentLength(length_text);
    if (!length) return std::unexpected(Failed("the answer's Content-Length is not a number"));
    if (*length > kMaxAnswer) return std::unexpected(Failed("the answer is over 256 MiB"));
  }
  while (!length || buffer.size() < *length) {
    const Got got = ReceiveSome(fd, buffer, deadline, error);
    if (got == Got::kTimeout) return std::unexpected(Failed(Waited(request)));
    if (got == Got::kClosed && !length) break;  // the body ends with the connection
    if (got == Got::kClosed) {
      return std::unexpected(Failed("the connection closed after " + std::to_string(buffer.size()) +
                                    " of " + std::to_string(*length) + " body bytes"));
    }
    if (got == Got::kError) {
      return std::unexpected(Failed("reading the answer failed: " + ErrnoText(error)));
    }
    if (buffer.size() > kMaxAnswer) return std::unexpected(Failed("the answer is over 256 MiB"));
  }
  if (length) buffer.resize(*length);
  out.body = std::move(buffer);
  return out;
}

}  // namespace

std::string ClientResponse::Header(std::string_view lower_name) const {
  return FindHeader(headers, lower_name);
}

Result<ClientResponse> Exchange(const std::string& address, const ClientRequest& request) {
  const auto deadline = Clock::now() + request.timeout;
  auto hp = net::SplitHostPort(address);
  if (!hp) return std::unexpected(hp.error());
  auto fd = Connect(*hp, deadline);
  if (!fd) return std::unexpected(fd.error());
  Socket socket(*fd);

  std::string text = request.method + " " + request.target + " HTTP/1.1\r\n";
  const bool has_host = std::any_of(request.headers.begin(), request.headers.end(),
                                    [](const auto& h) { return LowerAscii(h.first) == "host"; });
  if (!has_host) text += "Host: " + net::JoinHostPort(hp->host, hp->port) + "\r\n";
  for (const auto& [name, value] : request.headers) text += name + ": " + value + "\r\n";
  if (!request.body.empty() && !request.content_type.empty()) {
    text += "Content-Type: " + request.content_type + "\r\n";
  }
  if (!request.body.empty() || request.method != "GET") {
    text += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  }
  text += "Connection: close\r\n\r\n" + request.body;
  if (Status sent = SendAll(socket.fd(), text, deadline); !sent) {
    return std::unexpected(sent.error());
  }

  return ReadAnswer(socket.fd(), request, deadline);
}

}  // namespace converge::serve

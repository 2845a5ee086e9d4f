#include "serve/http_connection.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <exception>
#include <optional>

#include "base/log.h"
#include "serve/http_head.h"

namespace converge::serve {
namespace {

using Clock = std::chrono::steady_clock;

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 202:
      return "Accepted";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    default:
      return "Unknown";
  }
}

enum class Read { kData, kClosed, kTimeout };

// Appends what arrives on `fd` to `buffer`, waiting until `deadline` at most.
Read ReadSome(int fd, std::string& buffer, Clock::time_point deadline) {
  while (true) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return Read::kTimeout;
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 60'000)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return Read::kClosed;
    if (ready == 0) continue;  // the loop head decides whether the deadline passed
    char chunk[16384];
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n > 0) {
      buffer.append(chunk, static_cast<size_t>(n));
      return Read::kData;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    return Read::kClosed;
  }
}

// After an answer that leaves a request body unread: stop sending, then discard
// what the client still sends for a short while, so that closing does not reset
// the connection before the client has read the answer.
void LingeringClose(int fd, std::chrono::milliseconds limit) {
  ::shutdown(fd, SHUT_WR);
  const auto deadline = Clock::now() + std::min(limit, std::chrono::milliseconds(2000));
  std::string discard;
  while (ReadSome(fd, discard, deadline) == Read::kData) discard.clear();
}

// False when what arrived of the request line already cannot be one (a TLS
// handshake sent to this plain port, binary noise): it is refused at once rather
// than when the head times out.
bool CouldBeRequestLine(std::string_view received) {
  const std::string_view line = received.substr(0, received.find("\r\n"));
  return std::all_of(line.begin(), line.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

// Why the head cannot be served (status and text), or nullopt with `request`
// filled in and `keep_alive` set.
std::optional<HttpResponse> ParseHead(std::string_view head, HttpRequest& request,
                                      bool& keep_alive) {
  const auto bad = [](std::string what) {
    return HttpResponse::Text(400, "bad request: " + what + "\n");
  };
  const size_t line_end = std::min(head.find("\r\n"), head.size());
  const std::string_view line = head.substr(0, line_end);
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return bad("the request line is not METHOD PATH HTTP/1.1");
  }
  request.method = std::string(line.substr(0, sp1));
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (request.method.empty() ||
      !std::all_of(request.method.begin(), request.method.end(),
                   [](char c) { return c >= 'A' && c <= 'Z'; }) ||
      !target.starts_with('/') || (version != "HTTP/1.1" && version != "HTTP/1.0")) {
    return bad("the request line is not METHOD PATH HTTP/1.1");
  }
  const std::string_view resource = target.substr(0, target.find('#'));
  const size_t question = resource.find('?');
  request.path = std::string(resource.substr(0, question));
  if (question != std::string_view::npos)
    request.query = std::string(resource.substr(question + 1));
  if (!ParseHeaderFields(head.substr(line_end), request.headers)) {
    return bad("a header line has no name");
  }
  const std::string connection = LowerAscii(request.Header("connection"));
  keep_alive = version == "HTTP/1.1" ? connection.find("close") == std::string::npos
                                     : connection.find("keep-alive") != std::string::npos;
  return std::nullopt;
}

}  // namespace

std::string HttpRequest::Header(std::string_view lower_name) const {
  return FindHeader(headers, lower_name);
}

HttpResponse HttpResponse::Text(int status, std::string body, std::string content_type) {
  return HttpResponse{
      status, std::move(content_type), std::make_shared<const std::string>(std::move(body)), {}};
}

bool WriteResponse(int fd, const HttpResponse& response, bool keep_alive,
                   std::chrono::milliseconds timeout, SendGate* gate) {
  static const std::string kEmpty;
  const std::string& body = response.body ? *response.body : kEmpty;
  std::string head = "HTTP/1.1 " + std::to_string(response.status) + " " + Reason(response.status);
  if (!response.content_type.empty()) head += "\r\nContent-Type: " + response.content_type;
  head += "\r\nContent-Length: " + std::to_string(response.announced_length.value_or(body.size())) +
          "\r\nConnection: " + (keep_alive && !response.announced_length ? "keep-alive" : "close") +
          "\r\n";
  for (const auto& [name, value] : response.headers) head += name + ": " + value + "\r\n";
  head += "\r\n";
  iovec parts[2] = {{head.data(), head.size()}, {const_cast<char*>(body.data()), body.size()}};
  iovec* next = parts;
  int count = body.empty() ? 1 : 2;
  while (count > 0) {
    msghdr message{};
    message.msg_iov = next;
    message.msg_iovlen = static_cast<size_t>(count);
    if (gate) gate->acquire();
    const ssize_t sent = ::sendmsg(fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
    const int error = errno;
    if (gate) gate->release();
    if (sent < 0 && error == EINTR) continue;
    if (sent < 0 && (error == EAGAIN || error == EWOULDBLOCK)) {
      pollfd p{fd, POLLOUT, 0};
      int ready;
      while ((ready = ::poll(&p, 1, static_cast<int>(timeout.count()))) < 0 && errno == EINTR) {
      }
      if (ready <= 0 || (p.revents & (POLLERR | POLLHUP))) return false;
      continue;
    }
    if (sent <= 0) return false;
    size_t done = static_cast<size_t>(sent);
    while (count > 0 && done >= next->iov_len) {
      done -= next->iov_len;
      ++next;
      --count;
    }
    if (count > 0) {
      next->iov_base = static_cast<char*>(next->iov_base) + done;
      next->iov_len -= done;
    }
  }
  return true;
}

void ServeConnection(int fd, const std::string& peer, const HttpLimits& limits,
                     const HttpHandler& handler, SendGate& gate) {
  // Answers what cannot be served, then closes without resetting the connection.
  const auto refuse = [&](const HttpResponse& refusal) {
    WriteResponse(fd, refusal, false, limits.request_timeout, &gate);
    LingeringClose(fd, limits.request_timeout);
  };
  std::string buffer;  // what arrived and is not served yet
  while (true) {
    // The head: the first byte within idle_timeout, all of it within request_timeout.
    auto deadline = Clock::now() + (buffer.empty() ? limits.idle_timeout : limits.request_timeout);
    bool begun = !buffer.empty();
    size_t head_end;
    while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos &&
           buffer.size() <= limits.max_head) {
      const Read got = ReadSome(fd, buffer, deadline);
      if (got == Read::kTimeout && begun) {
        WriteResponse(fd, HttpResponse::Text(408, "the request did not arrive in time\n"), false,
                      limits.request_timeout, &gate);
      }
      if (got != Read::kData) return;
      if (!begun) deadline = Clock::now() + limits.request_timeout;
      begun = true;
      if (!CouldBeRequestLine(buffer)) break;
    }
    if (!CouldBeRequestLine(buffer)) {
      return refuse(HttpResponse::Text(400,
                                       "bad request: the request line is not METHOD PATH "
                                       "HTTP/1.1 (this port serves http, not https)\n"));
    }
    if (head_end == std::string::npos || head_end + 4 > limits.max_head) {
      return refuse(HttpResponse::Text(431, "the request line and headers are over " +
                                                std::to_string(limits.max_head / 1024) + " KiB\n"));
    }
    HttpRequest request;
    request.peer = peer;
    bool keep_alive = true;
    if (auto refusal =
            ParseHead(std::string_view(buffer).substr(0, head_end), request, keep_alive)) {
      return refuse(*refusal);
    }
    if (!request.Header("transfer-encoding").empty()) {
      return refuse(HttpResponse::Text(411,
                                       "chunked request bodies are not served; send the "
                                       "body with a Content-Length\n"));
    }
    const std::string length_text = request.Header("content-length");
    const std::optional<size_t> parsed = ParseContentLength(length_text);
    if (!length_text.empty() && !parsed) {
      return refuse(HttpResponse::Text(400, "bad request: Content-Length is not a number\n"));
    }
    const size_t length = parsed.value_or(0);
    buffer.erase(0, head_end + 4);
    request.body_too_large = length > limits.max_body;
    if (!request.body_too_large) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      if (buffer.size() < length && LowerAscii(request.Header("expect")) == "100-continue" &&
          ::send(fd, kContinue.data(), kContinue.size(), MSG_NOSIGNAL) !=
              static_cast<ssize_t>(kContinue.size())) {
        return;
      }
      while (buffer.size() < length) {
        const Read got = ReadSome(fd, buffer, deadline);
        if (got == Read::kTimeout) {
          WriteResponse(fd, HttpResponse::Text(408, "the request did not arrive in time\n"), false,
                        limits.request_timeout, &gate);
        }
        if (got != Read::kData) return;
      }
      request.body = buffer.substr(0, length);
      buffer.erase(0, length);
    } else {
      keep_alive = false;
    }
    HttpResponse response;
    try {
      response = handler(request);
    } catch (const std::exception& e) {
      log::Warn("serving request failed", {{"path", request.path}, {"error", e.what()}});
      response = HttpResponse::Text(
          500, "serving " + request.path + " failed; the controller's log says why\n");
    }
    if (!WriteResponse(fd, response, keep_alive, limits.request_timeout, &gate)) return;
    if (response.announced_length) return;  // cut short on purpose: the socket closes
    if (request.body_too_large) return LingeringClose(fd, limits.request_timeout);
    if (!keep_alive) return;
  }
}

}  // namespace converge::serve

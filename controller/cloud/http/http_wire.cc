#include "cloud/http/http_wire.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <string_view>

namespace converge::cloud::http {
namespace {

constexpr size_t kMaxHead = 64 * 1024;  // status line and headers
constexpr size_t kMaxLine = 4096;       // a chunk-size or trailer line

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// True when the comma-separated `list` holds `token` (case-insensitive).
bool HasToken(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    const size_t comma = std::min(list.find(','), list.size());
    if (EqualsIgnoreCase(Trim(list.substr(0, comma)), token)) return true;
    list.remove_prefix(std::min(comma + 1, list.size()));
  }
  return false;
}

// The last element of the comma-separated `list`.
std::string_view LastToken(std::string_view list) {
  const size_t comma = list.rfind(',');
  return Trim(comma == std::string_view::npos ? list : list.substr(comma + 1));
}

struct Head {
  int status = 0;
  bool http10 = false;
  long long content_length = -1;
  bool chunked = false;
  bool other_coding = false;  // a transfer coding without chunked: the body ends at close
  bool close = false;
  bool keep_alive = false;  // "Connection: keep-alive" (meaningful for HTTP/1.0)
};

// Fills `out` from the status line and headers; the problem when they are not HTTP.
std::optional<std::string> ParseHead(std::string_view head, Head& out) {
  const size_t line_end = std::min(head.find("\r\n"), head.size());
  const std::string_view line = head.substr(0, line_end);
  if (line.size() < 12 || !line.starts_with("HTTP/1.") || line[8] != ' ' ||
      (line.size() > 12 && line[12] != ' ') ||
      !std::all_of(line.begin() + 9, line.begin() + 12,
                   [](char c) { return c >= '0' && c <= '9'; })) {
    return "invalid status line";
  }
  out.http10 = line[7] == '0';
  std::from_chars(line.data() + 9, line.data() + 12, out.status);
  std::string_view rest = head.substr(std::min(line_end + 2, head.size()));
  while (!rest.empty()) {
    const size_t end = std::min(rest.find("\r\n"), rest.size());
    const std::string_view field = rest.substr(0, end);
    rest.remove_prefix(std::min(end + 2, rest.size()));
    const size_t colon = field.find(':');
    if (colon == std::string_view::npos || colon == 0) return "invalid header line";
    const std::string_view name = field.substr(0, colon);
    const std::string_view value = Trim(field.substr(colon + 1));
    if (EqualsIgnoreCase(name, "content-length")) {
      long long length = -1;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), length);
      if (value.empty() || ec != std::errc() || ptr != value.data() + value.size() || length < 0 ||
          (out.content_length >= 0 && out.content_length != length)) {
        return "invalid Content-Length";
      }
      out.content_length = length;
    } else if (EqualsIgnoreCase(name, "transfer-encoding")) {
      out.chunked = EqualsIgnoreCase(LastToken(value), "chunked");
      out.other_coding = !out.chunked;
    } else if (EqualsIgnoreCase(name, "connection")) {
      out.close = out.close || HasToken(value, "close");
      out.keep_alive = out.keep_alive || HasToken(value, "keep-alive");
    }
  }
  return std::nullopt;
}

// The bytes of one answer as they arrive on a connection.
class AnswerBytes {
 public:
  AnswerBytes(Connection& connection, Deadline deadline)
      : connection_(connection), deadline_(deadline) {}

  // Reads more; false with failure() set when nothing more came.
  bool More() { return More(buffer_, 16384); }
  // Reads a body of `length` bytes into `body`: what came with the head is
  // moved over, the rest is received into `body` itself, never past its end.
  bool Body(size_t length, std::string& body) {
    const size_t have = std::min(unread(), length);
    body.reserve(length);
    body.assign(buffer_, pos_, have);
    pos_ += have;
    while (body.size() < length) {
      if (!More(body, length - body.size())) return false;
    }
    return true;
  }
  bool More(std::string& into, size_t most) {
    std::optional<IoFailure> why = connection_.Read(into, deadline_, most);
    if (!why) {
      any_ = true;
      return true;
    }
    failure_.phase = any_ ? Phase::kReadAnswer : Phase::kAwaitAnswer;
    failure_.timed_out = why->timed_out;
    failure_.error = why->error;
    failure_.tls_error = why->tls_error;
    return false;
  }
  // After More() returned false: the peer closed the connection.
  bool Closed() const {
    return !failure_.timed_out && failure_.error == 0 && failure_.tls_error.empty();
  }
  const ExchangeFailure& failure() const { return failure_; }
  ExchangeFailure Invalid(Phase phase, std::string what) const {
    ExchangeFailure f;
    f.phase = phase;
    f.protocol_error = std::move(what);
    return f;
  }
  // Bytes received and not yet consumed.
  size_t unread() const { return buffer_.size() - pos_; }
  // The end of the line starting at the read position, reading as needed.
  std::optional<size_t> LineEnd(size_t limit, std::optional<ExchangeFailure>& error) {
    while (true) {
      const size_t end = buffer_.find("\r\n", pos_);
      if (end != std::string::npos) return end;
      if (unread() > limit) {
        error = Invalid(Phase::kReadAnswer,
                        "a line of the answer is over " + std::to_string(limit) + " bytes");
        return std::nullopt;
      }
      if (!More()) {
        error = failure_;
        return std::nullopt;
      }
    }
  }

  std::string buffer_;
  size_t pos_ = 0;

 private:
  Connection& connection_;
  Deadline deadline_;
  bool any_ = false;
  ExchangeFailure failure_;
};

AnswerOrFailure ReadHead(AnswerBytes& in, Head& head) {
  size_t scan = in.pos_;
  while (true) {
    const size_t end = in.buffer_.find("\r\n\r\n", scan);
    if (end != std::string::npos) {
      const std::string_view text(in.buffer_.data() + in.pos_, end + 2 - in.pos_);
      in.pos_ = end + 4;
      if (std::optional<std::string> problem = ParseHead(text, head)) {
        return in.Invalid(
            *problem == "invalid status line" ? Phase::kAwaitAnswer : Phase::kReadAnswer, *problem);
      }
      return Answer{};
    }
    if (in.unread() >= 5 && in.buffer_.compare(in.pos_, 5, "HTTP/") != 0) {
      return in.Invalid(Phase::kAwaitAnswer, "invalid status line");
    }
    if (in.unread() > kMaxHead) {
      return in.Invalid(Phase::kReadAnswer,
                        "its head is over " + std::to_string(kMaxHead >> 10) + " KiB");
    }
    scan = std::max(in.pos_, in.buffer_.size() >= 3 ? in.buffer_.size() - 3 : 0);
    if (!in.More()) return in.failure();
  }
}

std::string Over() { return "over " + std::to_string(kMaxAnswerBytes) + " bytes"; }

AnswerOrFailure ReadChunked(AnswerBytes& in, Answer& answer) {
  std::optional<ExchangeFailure> error;
  while (true) {
    std::optional<size_t> end = in.LineEnd(kMaxLine, error);
    if (!end) return *error;
    std::string_view line(in.buffer_.data() + in.pos_, *end - in.pos_);
    line = Trim(line.substr(0, std::min(line.find(';'), line.size())));
    size_t size = 0;
    auto [ptr, ec] = std::from_chars(line.data(), line.data() + line.size(), size, 16);
    if (line.empty() || ec != std::errc() || ptr != line.data() + line.size()) {
      return in.Invalid(Phase::kReadAnswer, "invalid chunk size");
    }
    in.pos_ = *end + 2;
    if (size == 0) break;
    if (size > kMaxAnswerBytes - answer.body.size()) return AnswerTooLarge{answer.status, Over()};
    while (in.unread() < size + 2) {
      if (!in.More()) return in.failure();
    }
    if (in.buffer_.compare(in.pos_ + size, 2, "\r\n") != 0) {
      return in.Invalid(Phase::kReadAnswer, "a chunk does not end with CRLF");
    }
    answer.body.append(in.buffer_, in.pos_, size);
    in.buffer_.erase(0, in.pos_ + size + 2);
    in.pos_ = 0;
  }
  while (true) {  // trailer fields, up to the empty line
    std::optional<size_t> end = in.LineEnd(kMaxLine, error);
    if (!end) return *error;
    const bool last = *end == in.pos_;
    in.pos_ = *end + 2;
    if (last) return Answer{};
  }
}

}  // namespace

std::string FormatRequest(const HttpRequest& request, const Endpoint& endpoint) {
  std::string out;
  out.reserve(256 + request.target.size() + request.body.size() + 64 * request.headers.size());
  out.append(request.method).append(" ").append(request.target).append(" HTTP/1.1\r\n");
  const bool has_host =
      std::any_of(request.headers.begin(), request.headers.end(),
                  [](const auto& h) { return EqualsIgnoreCase(h.first, "host"); });
  if (!has_host) out.append("Host: ").append(endpoint.host_header).append("\r\n");
  for (const auto& [name, value] : request.headers) {
    out.append(name).append(": ").append(value).append("\r\n");
  }
  if (!request.content_type.empty()) {
    out.append("Content-Type: ").append(request.content_type).append("\r\n");
  }
  if (!request.body.empty() || (request.method != "GET" && request.method != "HEAD")) {
    out.append("Content-Length: ").append(std::to_string(request.body.size())).append("\r\n");
  }
  out.append("\r\n").append(request.body);
  return out;
}

AnswerOrFailure ReadAnswer(Connection& connection, std::string_view method, Deadline deadline) {
  AnswerBytes in(connection, deadline);
  Head head;
  do {  // interim (1xx) answers come before the real one
    head = Head{};
    AnswerOrFailure read = ReadHead(in, head);
    if (!std::holds_alternative<Answer>(read)) return read;
  } while (head.status >= 100 && head.status < 200);

  Answer answer;
  answer.status = head.status;
  answer.reusable = !head.close && (!head.http10 || head.keep_alive);
  if (method == "HEAD" || head.status == 204 || head.status == 304) {
    // no body
  } else if (head.chunked) {
    AnswerOrFailure read = ReadChunked(in, answer);
    if (!std::holds_alternative<Answer>(read)) return read;
  } else if (head.content_length >= 0 && !head.other_coding) {
    const auto length = static_cast<unsigned long long>(head.content_length);
    if (length > kMaxAnswerBytes) {
      return AnswerTooLarge{head.status, "Content-Length " + std::to_string(length)};
    }
    if (!in.Body(length, answer.body)) return in.failure();
  } else {  // the body ends when the server closes the connection
    answer.reusable = false;
    while (in.More()) {
      if (in.unread() > kMaxAnswerBytes) return AnswerTooLarge{head.status, Over()};
    }
    if (!in.Closed()) return in.failure();
    answer.body.assign(in.buffer_, in.pos_);
    in.pos_ = in.buffer_.size();
  }
  // Bytes beyond the answer: the connection is out of step; do not reuse it.
  if (in.unread() != 0) answer.reusable = false;
  return answer;
}

}  // namespace converge::cloud::http

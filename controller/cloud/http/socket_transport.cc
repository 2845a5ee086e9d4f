#include "cloud/http/socket_transport.h"

#include <algorithm>
#include <optional>
#include <variant>

#include "cloud/http/connection.h"
#include "cloud/http/connection_pool.h"
#include "cloud/http/http_wire.h"
#include "cloud/http/tls_client.h"
#include "cloud/http/transport_failure.h"

namespace converge::cloud::http {
namespace {

using std::chrono::milliseconds;

Error InvalidRequest(std::string what) {
  Error e;
  e.category = Error::Category::kInvalid;
  e.message = "the request " + what + "; this is a bug in the caller";
  return e;
}

// Why `request` cannot be written as HTTP/1.1, or nullopt. Names the header, never
// its value (values may be secrets).
std::optional<Error> Unsendable(const HttpRequest& request) {
  const auto has_break = [](std::string_view s) {
    return s.find_first_of("\r\n") != std::string_view::npos;
  };
  if (request.method.empty() || request.method.find_first_of(" \r\n") != std::string::npos) {
    return InvalidRequest("method \"" + request.method + "\" is not an HTTP method");
  }
  if (!request.target.starts_with('/') ||
      request.target.find_first_of(" \r\n") != std::string::npos) {
    return InvalidRequest("target does not start with '/' or holds spaces or line breaks");
  }
  for (const auto& [name, value] : request.headers) {
    if (name.empty() || has_break(name) || name.find(':') != std::string::npos ||
        has_break(value)) {
      return InvalidRequest("header \"" + name + "\" is not a valid header name and value");
    }
  }
  if (has_break(request.content_type)) return InvalidRequest("Content-Type holds a line break");
  return std::nullopt;
}

class SocketTransport : public HttpTransport {
 public:
  SocketTransport(Endpoint endpoint, std::unique_ptr<TlsClient> tls,
                  const HttpTransportOptions& options, milliseconds request_timeout)
      : endpoint_(std::move(endpoint)),
        tls_(std::move(tls)),
        connect_timeout_(options.connect_timeout),
        request_timeout_(request_timeout),
        pool_(static_cast<size_t>(std::max(options.max_idle_connections, 0)),
              options.max_idle_age) {}

  Result<HttpResponse> Send(const HttpRequest& request) override {
    if (std::optional<Error> bad = Unsendable(request)) return std::unexpected(*bad);
    std::optional<SigpipeBlocked> no_sigpipe;
    if (tls_ != nullptr) no_sigpipe.emplace();
    const Deadline start = SteadyClock::now();
    const Deadline deadline = start + request_timeout_;
    const Deadline connect_deadline =
        connect_timeout_.count() > 0 ? std::min(deadline, start + connect_timeout_) : deadline;
    const std::string wire = FormatRequest(request, endpoint_);

    std::unique_ptr<Connection> connection = request.fresh_connection ? nullptr : pool_.Take();
    bool reused = connection != nullptr;
    while (true) {
      if (connection == nullptr) {
        auto opened = Connection::Open(endpoint_, tls_.get(), connect_deadline, deadline);
        if (!opened) {
          const bool connect_bound =
              opened.error().phase == Phase::kConnect && connect_deadline < deadline;
          return Fail(opened.error(), connect_bound ? connect_timeout_ : request_timeout_);
        }
        connection = std::move(*opened);
      }
      AnswerOrFailure result = Exchange(*connection, wire, request.method, deadline);
      if (Answer* answer = std::get_if<Answer>(&result)) {
        if (answer->reusable) pool_.Put(std::move(connection));
        return HttpResponse{answer->status, std::move(answer->body)};
      }
      if (auto* too_large = std::get_if<AnswerTooLarge>(&result)) return TooLarge(*too_large);
      const ExchangeFailure& failure = std::get<ExchangeFailure>(result);
      // A kept-alive connection the server closed before answering: once, on a
      // new one (see HttpRequest::fresh_connection).
      if (reused && !failure.timed_out && failure.protocol_error.empty() &&
          (failure.phase == Phase::kSend || failure.phase == Phase::kAwaitAnswer)) {
        connection.reset();
        reused = false;
        continue;
      }
      return Fail(failure, request_timeout_);
    }
  }

 private:
  static AnswerOrFailure Exchange(Connection& connection, const std::string& wire,
                                  std::string_view method, Deadline deadline) {
    if (std::optional<IoFailure> why = connection.Write(wire, deadline)) {
      ExchangeFailure f;
      f.phase = Phase::kSend;
      f.timed_out = why->timed_out;
      f.error = why->error;
      f.tls_error = why->tls_error;
      return f;
    }
    return ReadAnswer(connection, method, deadline);
  }

  std::unexpected<Error> Fail(const ExchangeFailure& failure, milliseconds bound) const {
    return std::unexpected(ClassifyTransportFailure(failure, endpoint_, bound));
  }

  std::unexpected<Error> TooLarge(const AnswerTooLarge& too_large) const {
    Error e;
    e.category = Error::Category::kProtocol;
    e.http_status = too_large.status;
    e.message = "the answer from " + HostPort(endpoint_) + " is larger than " +
                std::to_string(kMaxAnswerBytes >> 20) + " MiB (" + too_large.seen +
                "); it was abandoned unread. Check that spec.endpoint is the cloud's API";
    return std::unexpected(std::move(e));
  }

  const Endpoint endpoint_;
  const std::unique_ptr<TlsClient> tls_;  // nullptr for http
  const milliseconds connect_timeout_;
  const milliseconds request_timeout_;
  ConnectionPool pool_;
};

}  // namespace

Result<std::unique_ptr<HttpTransport>> MakeHttpTransport(const HttpTransportOptions& options) {
  Result<Endpoint> endpoint = ParseEndpoint(options.endpoint);
  if (!endpoint) return std::unexpected(endpoint.error());
  std::unique_ptr<TlsClient> tls;
  if (endpoint->scheme == "https" || !options.ca_file.empty()) {
    Result<std::unique_ptr<TlsClient>> made = TlsClient::Make(options.ca_file);
    if (!made) return std::unexpected(made.error());
    if (endpoint->scheme == "https") tls = std::move(*made);
  }
  const milliseconds request_timeout =
      options.request_timeout.count() > 0 ? options.request_timeout : milliseconds(30000);
  return std::unique_ptr<HttpTransport>(
      std::make_unique<SocketTransport>(*endpoint, std::move(tls), options, request_timeout));
}

}  // namespace converge::cloud::http

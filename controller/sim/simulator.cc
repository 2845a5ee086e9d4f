#include "sim/simulator.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <cpprest/containerstream.h>
#include <cpprest/http_listener.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/net.h"
#include "base/random.h"
#include "cloud/tione/tc3_signer.h"
#include "sim/faults.h"
#include "sim/world.h"

namespace converge::sim {

namespace {

using web::http::http_request;
using web::http::http_response;

struct Request {
  std::string method;
  std::string path;
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct Answer {
  int status = 200;
  std::string body;
};

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string Trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

// One cloud's counters, rate limiter and request-rate window.
struct CloudStats {
  std::map<std::string, int64_t> calls;
  int64_t rate_limited = 0;
  int64_t auth = 0;
  int64_t fault = 0;
  std::map<std::string, int64_t> faults;
  std::deque<SteadyTime> window;
  int64_t max_rps = 0;
  double tokens = -1;  // < 0: not yet initialized (full)
  SteadyTime refilled{};

  json ToJson() const {
    json f = {{"error", 0}, {"latency", 0}, {"malformed", 0}, {"drop", 0}, {"hang", 0}};
    for (const auto& [k, v] : faults) f[k] = v;
    int64_t total = 0;
    for (const auto& [k, v] : calls) total += v;
    return {{"calls", calls},
            {"total_calls", total},
            {"rejected", {{"rate_limited", rate_limited}, {"auth", auth}, {"fault", fault}}},
            {"faults", f},
            {"max_requests_per_second", max_rps}};
  }
};

constexpr auto kOneSecond = std::chrono::seconds(1);

// Constant-time comparison of equal-length strings.
bool SameSecret(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::string Uuid(Random& random) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) s.push_back('-');
    s.push_back(kHex[random.Next() % 16]);
  }
  return s;
}

json TioneEnvelope(const TioneReply& reply, const std::string& request_id) {
  json response = reply.ok() ? reply.fields : json::object();
  if (!reply.ok()) {
    response["Error"] = {{"Code", reply.error_code}, {"Message", reply.error_message}};
  }
  response["RequestId"] = request_id;
  return {{"Response", response}};
}

const std::set<std::string> kRegions = {
    "ap-beijing", "ap-shanghai", "ap-guangzhou", "ap-nanjing",       "ap-chongqing",
    "ap-chengdu", "ap-hongkong", "ap-singapore", "ap-shanghai-fsi",  "ap-shenzhen-fsi",
    "ap-jakarta", "ap-seoul",    "ap-tokyo",     "na-siliconvalley", "eu-frankfurt"};

}  // namespace

class Simulator::Impl {
 public:
  explicit Impl(SimOptions options)
      : options_(std::move(options)),
        clock_(options_.clock ? options_.clock : &RealClock::Get()),
        random_(options_.random_seed ? RealRandom(options_.random_seed) : RealRandom()),
        world_(options_, *clock_, random_) {}

  ~Impl() { Stop(); }

  bool Start(std::string* error);
  void Stop();
  std::string BaseUrl() const { return "http://" + host_ + ":" + std::to_string(port_); }
  int Port() const { return port_; }

  json Stats() const {
    std::lock_guard lock(mu_);
    return {{"scnet", scnet_.ToJson()}, {"tione", tione_.ToJson()}};
  }
  bool SetFaults(const json& faults, std::string* error) {
    std::lock_guard lock(mu_);
    return faults_.Set(nlohmann::json(faults), error);
  }
  json Faults() const {
    std::lock_guard lock(mu_);
    return json(faults_.ToJson());
  }
  bool ForceState(const json& request, std::string* error) {
    std::lock_guard lock(mu_);
    return world_.ForceState(request, error);
  }
  void Reset(bool state) {
    std::lock_guard lock(mu_);
    scnet_ = {};
    tione_ = {};
    if (state) {
      std::string ignored;
      world_.Load(fixture_, &ignored);
    }
  }
  json State() {
    std::lock_guard lock(mu_);
    return world_.State();
  }
  json ListInstances() {
    std::lock_guard lock(mu_);
    return world_.ListInstances();
  }

 private:
  void Handle(http_request req);
  void Serve(http_request& req, const Request& r);
  Answer Admin(const Request& r);
  void ServeScnet(http_request& req, const Request& r, const std::string& op);
  void ServeTione(http_request& req, const Request& r);
  // Rate limit + window accounting; false when the request is rejected.
  bool Admit(CloudStats& stats, double rate);
  std::optional<TioneReply> VerifyTc3(const Request& r);
  void Deliver(http_request& req, FaultMode mode, const Answer& answer);
  void Pause(std::chrono::milliseconds d);

  SimOptions options_;
  Clock* clock_;
  RealRandom random_;

  mutable std::mutex mu_;
  World world_;
  FaultSet faults_;
  json fixture_ = json::object();
  CloudStats scnet_;
  CloudStats tione_;
  std::vector<http_request> held_;

  std::unique_ptr<web::http::experimental::listener::http_listener> listener_;
  std::string host_ = "127.0.0.1";
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::mutex pause_mu_;
  std::condition_variable pause_cv_;
  std::atomic<int> in_flight_{0};
};

bool Simulator::Impl::Start(std::string* error) {
  int port = 0;
  if (!net::SplitHostPort(options_.address, &host_, &port)) {
    *error = "simulator address \"" + options_.address +
             "\" is not HOST:PORT with a port 0..65535 (e.g. 127.0.0.1:8089)";
    return false;
  }

  if (!options_.fixture_file.empty()) {
    std::ifstream in(options_.fixture_file);
    if (!in) {
      *error = "cannot read simulator fixture " + options_.fixture_file +
               ": no such file or not readable";
      return false;
    }
    std::stringstream text;
    text << in.rdbuf();
    json fixture = json::parse(text.str(), nullptr, false);
    if (fixture.is_discarded()) {
      *error = "simulator fixture " + options_.fixture_file + " is not valid JSON";
      return false;
    }
    fixture_ = std::move(fixture);
  }
  {
    std::lock_guard lock(mu_);
    std::string why;
    if (!world_.Load(fixture_, &why)) {
      *error = "simulator fixture " + options_.fixture_file + ": " + why;
      return false;
    }
    if (!options_.faults.is_null() && !faults_.Set(options_.faults, &why)) {  // NOLINT
      *error = "simulator faults: " + why;
      return false;
    }
  }

  std::string last_error;
  for (int attempt = 0; attempt < (port == 0 ? 20 : 1); ++attempt) {
    const int p = port == 0 ? net::FreePort(host_) : port;
    if (p == 0) {
      last_error = "cannot bind " + host_ + ": not a usable IPv4 address";
      break;
    }
    try {
      web::http::experimental::listener::http_listener_config config;
      config.set_timeout(std::chrono::seconds(30));
      auto listener = std::make_unique<web::http::experimental::listener::http_listener>(
          "http://" + host_ + ":" + std::to_string(p), config);
      listener->support([this](http_request req) { Handle(std::move(req)); });
      listener->open().wait();
      listener_ = std::move(listener);
      port_ = p;
      stopping_ = false;
      return true;
    } catch (const std::exception& e) {
      last_error = e.what();
    }
  }
  *error = "simulator cannot listen on " + options_.address + ": " + last_error +
           " (is the port in use? pick another with --addr, or port 0)";
  return false;
}

void Simulator::Impl::Stop() {
  stopping_ = true;
  {
    std::lock_guard lock(pause_mu_);
    pause_cv_.notify_all();
  }
  std::vector<http_request> held;
  {
    std::lock_guard lock(mu_);
    held.swap(held_);
  }
  for (auto& req : held) {
    try {
      req.reply(web::http::status_codes::ServiceUnavailable);
    } catch (...) {
    }
  }
  held.clear();
  if (listener_) {
    // Let in-flight handlers (cut short by stopping_) finish before closing.
    for (int i = 0; i < 100 && in_flight_.load() > 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    try {
      listener_->close().wait();
    } catch (...) {
    }
    listener_.reset();
  }
}

void Simulator::Impl::Pause(std::chrono::milliseconds d) {
  std::unique_lock lock(pause_mu_);
  pause_cv_.wait_for(lock, d, [this] { return stopping_.load(); });
}

void Simulator::Impl::Handle(http_request req) {
  ++in_flight_;
  try {
    Request r;
    r.method = req.method();
    r.path = web::uri::decode(req.relative_uri().path());
    if (r.path.empty() || r.path.front() != '/') r.path = "/" + r.path;
    for (const auto& [k, v] : web::uri::split_query(req.relative_uri().query())) {
      r.query[web::uri::decode(k)] = web::uri::decode(v);
    }
    for (const auto& [k, v] : req.headers()) r.headers[Lower(k)] = v;
    const std::vector<unsigned char> bytes = req.extract_vector().get();
    r.body.assign(bytes.begin(), bytes.end());
    Serve(req, r);
  } catch (const std::exception& e) {
    try {
      req.reply(web::http::status_codes::InternalError,
                json({{"error", std::string("simulator failure: ") + e.what()}}).dump(),
                "application/json");
    } catch (...) {
    }
  }
  --in_flight_;
}

void Simulator::Impl::Serve(http_request& req, const Request& r) {
  if (r.path.starts_with("/_sim/")) {
    Answer a = Admin(r);
    req.reply(a.status, a.body, "application/json");
    return;
  }
  static const std::regex kDetail("^/ai/openapi/v2/instance-service/([^/]+)/detail$");
  const bool get = r.method == "GET";
  const bool post = r.method == "POST";
  std::string op;
  std::smatch m;
  if (r.path == "/" && post) return ServeTione(req, r);
  if (r.path == "/ai/openapi/v2/notebook/list" && get) {
    op = "ListNotebooks";
  } else if (r.path == "/ac/openapi/v2/notebook/actions/start" && post) {
    op = "StartNotebook";
  } else if (r.path == "/ai/openapi/v2/notebook/customize-service/actions/start" && post) {
    op = "StartNotebookService";
  } else if (r.path == "/ai/openapi/v2/instance-service/task" && post) {
    op = "CreateContainerInstance";
  } else if (r.path == "/ai/openapi/v2/instance-service/task" && get) {
    op = "ListContainerInstances";
  } else if (std::regex_match(r.path, m, kDetail) && get && m[1] != "task") {
    op = "GetContainerInstance";
  } else if (r.path == "/ai/openapi/v2/instance-service/task/actions/restart" && post) {
    op = "RestartContainerInstance";
  } else {
    req.reply(web::http::status_codes::NotFound,
              ScnetEnvelope("404", "no such endpoint: " + r.method + " " + r.path).dump(),
              "application/json");
    return;
  }
  ServeScnet(req, r, op);
}

bool Simulator::Impl::Admit(CloudStats& stats, double rate) {
  const SteadyTime now = clock_->Now();
  stats.window.push_back(now);
  while (!stats.window.empty() && now - stats.window.front() >= kOneSecond) {
    stats.window.pop_front();
  }
  stats.max_rps = std::max<int64_t>(stats.max_rps, stats.window.size());
  if (rate <= 0) return true;
  if (stats.tokens < 0) {
    stats.tokens = rate;
    stats.refilled = now;
  }
  const double elapsed = std::chrono::duration<double>(now - stats.refilled).count();
  stats.tokens = std::min(rate, stats.tokens + elapsed * rate);
  stats.refilled = now;
  if (stats.tokens < 1) {
    ++stats.rate_limited;
    return false;
  }
  stats.tokens -= 1;
  return true;
}

void Simulator::Impl::ServeScnet(http_request& req, const Request& r, const std::string& op) {
  FaultDecision fault;
  {
    std::lock_guard lock(mu_);
    ++scnet_.calls[op];
    if (!Admit(scnet_, options_.scnet_rate_limit)) {
      std::ostringstream rate;
      rate << options_.scnet_rate_limit;
      req.reply(
          web::http::status_codes::TooManyRequests,
          ScnetEnvelope(scnet_code::kInternal, "request rate limit exceeded: at most " +
                                                   rate.str() + " requests per second; retry later")
              .dump(),
          "application/json");
      return;
    }
    const auto token_it = r.headers.find("token");
    if (token_it == r.headers.end() || token_it->second != kTestScnetToken) {
      ++scnet_.auth;
      const std::string msg = token_it == r.headers.end() || token_it->second.empty()
                                  ? "no access: the token header is missing"
                                  : "no access: the token is invalid or expired";
      req.reply(web::http::status_codes::OK, ScnetEnvelope(scnet_code::kNoAccess, msg).dump(),
                "application/json");
      return;
    }
    fault = faults_.Decide("scnet", op, random_);
    if (fault.latency.count() > 0) ++scnet_.faults["latency"];
    if (fault.mode != FaultMode::kNone) ++scnet_.faults[FaultModeName(fault.mode)];
    if (fault.mode == FaultMode::kError) ++scnet_.fault;
  }
  if (fault.latency.count() > 0) Pause(fault.latency);
  if (fault.mode == FaultMode::kError) {
    req.reply(web::http::status_codes::OK,
              ScnetEnvelope(scnet_code::kInternal,
                            "internal error (injected by the simulator for " + op + ")")
                  .dump(),
              "application/json");
    return;
  }
  json body = json::object();
  if (r.method == "POST" && !Trim(r.body).empty()) {
    body = json::parse(r.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      req.reply(web::http::status_codes::OK,
                ScnetEnvelope(scnet_code::kInvalidParameter,
                              "invalid parameter: the request body is not a JSON object")
                    .dump(),
                "application/json");
      return;
    }
  }
  ScnetReply reply;
  {
    std::lock_guard lock(mu_);
    if (op == "ListNotebooks") {
      reply = world_.ListNotebooks(r.query);
    } else if (op == "StartNotebook") {
      reply = world_.StartNotebook(body);
    } else if (op == "StartNotebookService") {
      reply = world_.StartNotebookService(body);
    } else if (op == "CreateContainerInstance") {
      reply = world_.CreateContainerInstance(body);
    } else if (op == "ListContainerInstances") {
      reply = world_.ListContainerInstances(r.query);
    } else if (op == "GetContainerInstance") {
      static const std::regex kDetail("^/ai/openapi/v2/instance-service/([^/]+)/detail$");
      std::smatch m;
      std::regex_match(r.path, m, kDetail);
      reply = world_.GetContainerInstance(m[1]);
    } else if (op == "RestartContainerInstance") {
      reply = world_.RestartContainerInstance(r.query);
    }
  }
  Deliver(req, fault.mode, {reply.http_status, reply.body.dump()});
}

std::optional<TioneReply> Simulator::Impl::VerifyTc3(const Request& r) {
  const std::string auth = r.Header("authorization");
  if (auth.empty()) {
    return TioneError("AuthFailure.InvalidAuthorization",
                      "The Authorization header is missing; sign the request with "
                      "TC3-HMAC-SHA256.");
  }
  constexpr std::string_view kAlgorithm = "TC3-HMAC-SHA256 ";
  if (!auth.starts_with(kAlgorithm)) {
    return TioneError("AuthFailure.InvalidAuthorization",
                      "The Authorization header must start with `TC3-HMAC-SHA256`.");
  }
  std::map<std::string, std::string> parts;
  std::stringstream rest(auth.substr(kAlgorithm.size()));
  for (std::string item; std::getline(rest, item, ',');) {
    item = Trim(item);
    const auto eq = item.find('=');
    if (eq != std::string::npos) parts[item.substr(0, eq)] = item.substr(eq + 1);
  }
  if (!parts.count("Credential") || !parts.count("SignedHeaders") || !parts.count("Signature")) {
    return TioneError("AuthFailure.InvalidAuthorization",
                      "The Authorization header needs Credential, SignedHeaders and Signature.");
  }
  std::vector<std::string> scope;
  std::stringstream cred(parts["Credential"]);
  for (std::string item; std::getline(cred, item, '/');) scope.push_back(item);
  if (scope.size() != 4 || scope[3] != "tc3_request") {
    return TioneError("AuthFailure.InvalidAuthorization",
                      "The Authorization Credential must be "
                      "SecretId/YYYY-MM-DD/service/tc3_request.");
  }
  if (scope[0] != kTestSecretId) {
    return TioneError("AuthFailure.SecretIdNotFound",
                      "The SecretId is not found, please ensure that your SecretId is correct.");
  }
  const std::string ts_text = r.Header("x-tc-timestamp");
  if (ts_text.empty())
    return TioneError("MissingParameter",
                      "The request is missing a required parameter "
                      "`Timestamp`.");
  int64_t ts = 0;
  try {
    size_t used = 0;
    ts = std::stoll(ts_text, &used);
    if (used != ts_text.size()) throw std::invalid_argument("ts");
  } catch (const std::exception&) {
    return TioneError("InvalidParameter", "The parameter `Timestamp` must be an integer.");
  }
  const int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(clock_->WallNow().time_since_epoch())
          .count();
  if (std::llabs(now - ts) > options_.clock_skew_tolerance_seconds) {
    return TioneError("AuthFailure.SignatureExpire",
                      "Signature expired. Timestamp is " + ts_text + ", server time is " +
                          std::to_string(now) + "; they must be within " +
                          std::to_string(options_.clock_skew_tolerance_seconds) +
                          " seconds of each other.");
  }
  const std::string signed_headers = parts["SignedHeaders"];
  if (signed_headers != "content-type;host" && signed_headers != "content-type;host;x-tc-action") {
    return TioneError("AuthFailure.InvalidAuthorization",
                      "SignedHeaders must be `content-type;host` or "
                      "`content-type;host;x-tc-action`.");
  }
  if (scope[2] != kTioneService) {
    return TioneError(
        "AuthFailure.SignatureFailure",
        "The credential scope service `" + scope[2] + "` does not match `" + kTioneService + "`.");
  }
  cloud::tione::Tc3Input in;
  in.secret_id = kTestSecretId;
  in.secret_key = kTestSecretKey;
  in.host = Trim(r.Header("host"));
  in.service = kTioneService;
  in.action = Trim(r.Header("x-tc-action"));
  in.content_type = Trim(r.Header("content-type"));
  in.payload = r.body;
  in.timestamp = ts;
  in.sign_action_header = signed_headers.ends_with("x-tc-action");
  const std::string expected = cloud::tione::SignTc3(in).signature;
  if (!SameSecret(expected, parts["Signature"])) {
    return TioneError("AuthFailure.SignatureFailure",
                      "The provided credentials could not be validated. Please check your "
                      "signature is correct.");
  }
  return std::nullopt;
}

void Simulator::Impl::ServeTione(http_request& req, const Request& r) {
  const std::string action = Trim(r.Header("x-tc-action"));
  const std::string op = World::IsTioneAction(action) ? action : "UnknownAction";
  FaultDecision fault;
  std::string request_id;
  {
    std::lock_guard lock(mu_);
    request_id = Uuid(random_);
    ++tione_.calls[op];
    auto reject = [&](const TioneReply& reply) {
      req.reply(web::http::status_codes::OK, TioneEnvelope(reply, request_id).dump(),
                "application/json");
    };
    if (!Admit(tione_, options_.tione_rate_limit)) {
      std::ostringstream rate;
      rate << options_.tione_rate_limit;
      return reject(TioneError(
          "RequestLimitExceeded",
          "Your current request times equals to `" + std::to_string(tione_.window.size()) +
              "` in a second, which exceeds the frequency limit `" + rate.str() +
              "` for a second. Please reduce the frequency of calls."));
    }
    if (auto failure = VerifyTc3(r)) {
      ++tione_.auth;
      return reject(*failure);
    }
    if (action.empty()) {
      return reject(
          TioneError("MissingParameter", "The request is missing a required parameter `Action`."));
    }
    if (op == "UnknownAction") {
      return reject(
          TioneError("InvalidAction", "The action `" + action + "` does not exist for tione."));
    }
    const std::string version = Trim(r.Header("x-tc-version"));
    if (version.empty()) {
      return reject(
          TioneError("MissingParameter", "The request is missing a required parameter `Version`."));
    }
    if (version != kTioneVersion) {
      return reject(TioneError(
          "NoSuchVersion",
          "The API version `" + version + "` does not exist; tione uses `" + kTioneVersion + "`."));
    }
    const std::string region = Trim(r.Header("x-tc-region"));
    if (region.empty()) {
      return reject(
          TioneError("MissingParameter", "The request is missing a required parameter `Region`."));
    }
    if (!kRegions.count(region)) {
      return reject(
          TioneError("UnsupportedRegion", "The region `" + region + "` is not supported."));
    }
    fault = faults_.Decide("tione", op, random_);
    if (fault.latency.count() > 0) ++tione_.faults["latency"];
    if (fault.mode != FaultMode::kNone) ++tione_.faults[FaultModeName(fault.mode)];
    if (fault.mode == FaultMode::kError) ++tione_.fault;
  }
  if (fault.latency.count() > 0) Pause(fault.latency);
  if (fault.mode == FaultMode::kError) {
    req.reply(web::http::status_codes::OK,
              TioneEnvelope(TioneError("InternalError",
                                       "An internal error has occurred (injected by the "
                                       "simulator for " +
                                           op + "). Retry your request."),
                            request_id)
                  .dump(),
              "application/json");
    return;
  }
  json params = Trim(r.body).empty() ? json::object() : json::parse(r.body, nullptr, false);
  TioneReply reply;
  if (params.is_discarded() || !params.is_object()) {
    reply = TioneError("InvalidParameter", "The request body is not a valid JSON object.");
  } else {
    std::lock_guard lock(mu_);
    reply = world_.Tione(action, params);
  }
  Deliver(req, fault.mode, {200, TioneEnvelope(reply, request_id).dump()});
}

void Simulator::Impl::Deliver(http_request& req, FaultMode mode, const Answer& answer) {
  switch (mode) {
    case FaultMode::kMalformed: {
      req.reply(answer.status, answer.body.substr(0, answer.body.size() / 2), "application/json");
      return;
    }
    case FaultMode::kDrop: {
      // Announce the full length, send half, close: the client's read fails mid-body.
      http_response response(answer.status);
      std::string partial = answer.body.substr(0, answer.body.size() / 2);
      auto buffer =
          concurrency::streams::container_buffer<std::string>(std::move(partial), std::ios::in);
      response.set_body(concurrency::streams::istream(buffer), answer.body.size(),
                        "application/json");
      req.reply(response);
      return;
    }
    case FaultMode::kHang: {
      std::lock_guard lock(mu_);
      held_.push_back(req);
      return;
    }
    default:
      req.reply(answer.status, answer.body, "application/json");
  }
}

Answer Simulator::Impl::Admin(const Request& r) {
  auto bad = [](const std::string& why) { return Answer{400, json({{"error", why}}).dump()}; };
  auto ok = [](const json& j) { return Answer{200, j.dump()}; };
  json body = json::object();
  if (r.method == "POST" && !Trim(r.body).empty()) {
    body = json::parse(r.body, nullptr, false);
    if (body.is_discarded()) return bad("request body is not valid JSON");
  }
  std::string error;
  if (r.path == "/_sim/stats" && r.method == "GET") return ok(Stats());
  if (r.path == "/_sim/reset" && r.method == "POST") {
    Reset(body.is_object() && body.contains("state") && body["state"] == true);
    return ok({{"ok", true}});
  }
  if (r.path == "/_sim/faults" && r.method == "GET") return ok(Faults());
  if (r.path == "/_sim/faults" && r.method == "POST") {
    if (!SetFaults(body, &error)) return bad(error);
    return ok(Faults());
  }
  if (r.path == "/_sim/state" && r.method == "GET") return ok(State());
  if (r.path == "/_sim/state" && r.method == "POST") {
    if (!ForceState(body, &error)) return bad(error);
    return ok({{"ok", true}});
  }
  return Answer{404, json({{"error", "no such admin endpoint: " + r.method + " " + r.path +
                                         " (GET /_sim/stats, POST /_sim/reset, GET|POST "
                                         "/_sim/faults, GET|POST /_sim/state)"}})
                         .dump()};
}

// ---------------------------------------------------------------------------

Simulator::Simulator(SimOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Simulator::~Simulator() = default;
bool Simulator::Start(std::string* error) { return impl_->Start(error); }
void Simulator::Stop() { impl_->Stop(); }
std::string Simulator::BaseUrl() const { return impl_->BaseUrl(); }
int Simulator::Port() const { return impl_->Port(); }
nlohmann::json Simulator::Stats() const { return nlohmann::json(impl_->Stats()); }
bool Simulator::SetFaults(const nlohmann::json& faults, std::string* error) {
  return impl_->SetFaults(json(faults), error);
}
bool Simulator::ForceState(const nlohmann::json& request, std::string* error) {
  return impl_->ForceState(json(request), error);
}
void Simulator::Reset(bool state) { impl_->Reset(state); }
nlohmann::json Simulator::State() const { return nlohmann::json(impl_->State()); }
nlohmann::json Simulator::ListInstances() const { return nlohmann::json(impl_->ListInstances()); }

}  // namespace converge::sim

#include "sim/simulator.h"

#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "base/log.h"
#include "base/net.h"
#include "sim/scnet_world.h"
#include "sim/simulator_impl.h"
#include "sim/tione_world.h"

namespace converge::sim {

std::string AnswerText(const nlohmann::ordered_json& body) {
  return body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string Trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

Simulator::Impl::Impl(SimOptions options)
    : options_(std::move(options)),
      clock_(options_.clock ? options_.clock : &RealClock::Get()),
      random_(options_.random_seed ? RealRandom(options_.random_seed) : RealRandom()),
      world_(options_, *clock_, random_),
      tokens_(options_.scnet_token_ttl, options_.clock_skew_tolerance_seconds, *clock_) {}

json Simulator::Impl::Stats() const {
  std::lock_guard lock(mu_);
  json scnet = scnet_.ToJson();
  scnet["tokens"] = tokens_.Stats();
  return {{"scnet", scnet}, {"tione", tione_.ToJson()}};
}

Status Simulator::Impl::SetCredentials(const json& request) {
  const std::map<std::string, std::string SimOptions::*> fields = {
      {"secretId", &SimOptions::tione_secret_id},
      {"secretKey", &SimOptions::tione_secret_key},
      {"sessionToken", &SimOptions::tione_session_token}};
  const auto malformed = [] {
    return std::unexpected(Error::InvalidArgument(
        "credentials: expected {\"tione\"?: {\"secretId\"?, \"secretKey\"?, \"sessionToken\"?}, "
        "\"scnet\"?: {\"accessKey\": KEY, \"revoked\"?: true|false}}, at least one of them"));
  };
  if (!request.is_object() || request.empty()) return malformed();
  for (const auto& [part, value] : request.items()) {
    if ((part != "tione" && part != "scnet") || !value.is_object()) return malformed();
  }
  if (request.contains("tione")) {
    for (const auto& [key, value] : request["tione"].items()) {
      auto it = fields.find(key);
      if (it == fields.end() || !value.is_string() ||
          (key != "sessionToken" && value.get<std::string>().empty())) {
        return std::unexpected(Error::InvalidArgument(
            "credentials: tione." + key +
            " is not one of secretId, secretKey (non-empty strings) or sessionToken (a string)"));
      }
    }
  }
  std::lock_guard lock(mu_);
  // The SCNet part is checked as it is applied; it goes first, so a request
  // either changes everything it names or nothing.
  if (request.contains("scnet")) {
    if (Status set = tokens_.SetRevoked(request["scnet"]); !set) return set;
  }
  if (request.contains("tione")) {
    for (const auto& [key, value] : request["tione"].items()) {
      options_.*(fields.at(key)) = value.get<std::string>();
    }
  }
  return {};
}

Status Simulator::Impl::SetFaults(const json& faults) {
  std::lock_guard lock(mu_);
  return faults_.Set(nlohmann::json(faults));
}

json Simulator::Impl::Faults() const {
  std::lock_guard lock(mu_);
  return json(faults_.ToJson());
}

Status Simulator::Impl::ForceState(const json& request) {
  std::lock_guard lock(mu_);
  return world_.ForceState(request);
}

void Simulator::Impl::Reset(bool state) {
  std::lock_guard lock(mu_);
  scnet_ = {};
  tione_ = {};
  tokens_.Reset(state);
  if (state) {
    // The fixture loaded in Start(), so it loads again.
    if (Status loaded = world_.Load(fixture_); !loaded) {
      log::Warn("simulator reset", {{"error", loaded.error().message}});
    }
  }
}

json Simulator::Impl::State() {
  std::lock_guard lock(mu_);
  return world_.State();
}

json Simulator::Impl::ListInstances() {
  std::lock_guard lock(mu_);
  return world_.scnet().ListInstances();
}

Status Simulator::Impl::Start() {
  auto hp = net::SplitHostPort(options_.address);
  if (!hp) {
    return std::unexpected(
        Error::InvalidArgument("simulator address \"" + options_.address +
                               "\" is not HOST:PORT with a port 0..65535 (e.g. 127.0.0.1:8089)"));
  }

  if (!options_.fixture_file.empty()) {
    std::ifstream in(options_.fixture_file);
    if (!in) {
      return std::unexpected(Error::IOError("cannot read simulator fixture " +
                                            options_.fixture_file +
                                            ": no such file or not readable"));
    }
    std::stringstream text;
    text << in.rdbuf();
    json fixture = json::parse(text.str(), nullptr, false);
    if (fixture.is_discarded()) {
      return std::unexpected(Error::InvalidArgument("simulator fixture " + options_.fixture_file +
                                                    " is not valid JSON"));
    }
    fixture_ = std::move(fixture);
  }
  {
    std::lock_guard lock(mu_);
    if (Status loaded = world_.Load(fixture_); !loaded) {
      return std::unexpected(Error::InvalidArgument("simulator fixture " + options_.fixture_file +
                                                    ": " + loaded.error().message));
    }
    if (!options_.faults.is_null()) {
      if (Status set = faults_.Set(options_.faults); !set) {
        return std::unexpected(Error::InvalidArgument("simulator faults: " + set.error().message));
      }
    }
  }

  const auto open = [&](const std::string& url) -> Status {
    auto listener = std::make_unique<serve::HttpListener>(
        kListenerLimits, [this](const serve::HttpRequest& req) { return Handle(req); },
        serve::HttpListenerOptions{
            .thread_prefix = "sim", .name = "simulator", .nice_increment = 0});
    if (Status listening = listener->Listen(url); !listening) return listening;
    listener_ = std::move(listener);
    return {};
  };
  auto port = net::BindListener(hp->host, hp->port, open);
  if (!port) {
    Error error = std::move(port.error());
    error.message = "simulator cannot listen on " + options_.address + ": " + error.message +
                    " (is the port in use? pick another with --addr, or port 0)";
    return std::unexpected(std::move(error));
  }
  port_ = *port;
  authority_ = net::JoinHostPort(hp->host, port_);
  stopping_ = false;
  return {};
}

void Simulator::Impl::Stop() {
  stopping_ = true;
  {
    std::lock_guard lock(pause_mu_);
    pause_cv_.notify_all();  // held "hang" requests get their 503, pauses end
  }
  if (listener_) {
    // Let in-flight handlers (cut short by stopping_) answer before closing.
    for (int i = 0; i < 100 && in_flight_.load() > 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    listener_->Stop();
    listener_.reset();
  }
}

void Simulator::Impl::Pause(std::chrono::milliseconds d) {
  std::unique_lock lock(pause_mu_);
  pause_cv_.wait_for(lock, d, [this] { return stopping_.load(); });
}

Answer Simulator::Impl::Dispatch(const Request& r) {
  try {
    if (r.path.starts_with("/_sim/")) return Admin(r);
    static const std::regex kDetail("^/ai/openapi/v2/instance-service/([^/]+)/detail$");
    const bool get = r.method == "GET";
    const bool post = r.method == "POST";
    std::string op;
    std::smatch m;
    if (r.path == "/" && post) return ServeTione(r);
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
    } else if (r.path == "/api/user/v3/tokens" && post) {
      op = "ObtainToken";
    } else if (r.path == "/ac/openapi/v2/tokens/next" && post) {
      op = "RenewToken";
    } else if (r.path == "/ac/openapi/v2/tokens/state" && get) {
      op = "TokenState";
    } else if (r.path == "/ac/openapi/v2/center" && get) {
      op = "DescribeCenter";
    } else if (r.path == "/ai/openapi/v2/instance-service/task/actions/stop" && post) {
      op = "StopContainerInstance";
    } else if (r.path == "/ai/openapi/v2/instance-service/task" && r.method == "DELETE") {
      op = "DeleteContainerInstance";
    } else {
      return {404,
              AnswerText(ScnetEnvelope("404", "no such endpoint: " + r.method + " " + r.path))};
    }
    return ServeScnet(r, op);
  } catch (const std::exception& e) {
    return {500, AnswerText(json({{"error", std::string("simulator failure: ") + e.what()}}))};
  }
}

Answer Simulator::Impl::Admin(const Request& r) {
  auto bad = [](const std::string& why) { return Answer{400, AnswerText(json({{"error", why}}))}; };
  auto ok = [](const json& j) { return Answer{200, AnswerText(j)}; };
  json body = json::object();
  if (r.method == "POST" && !Trim(r.body).empty()) {
    body = json::parse(r.body, nullptr, false);
    if (body.is_discarded()) return bad("request body is not valid JSON");
  }
  if (r.path == "/_sim/stats" && r.method == "GET") return ok(Stats());
  if (r.path == "/_sim/reset" && r.method == "POST") {
    Reset(body.is_object() && body.contains("state") && body["state"] == true);
    return ok({{"ok", true}});
  }
  if (r.path == "/_sim/faults" && r.method == "GET") return ok(Faults());
  if (r.path == "/_sim/faults" && r.method == "POST") {
    if (Status set = SetFaults(body); !set) return bad(set.error().message);
    return ok(Faults());
  }
  if (r.path == "/_sim/state" && r.method == "GET") return ok(State());
  if (r.path == "/_sim/state" && r.method == "POST") {
    if (Status forced = ForceState(body); !forced) return bad(forced.error().message);
    return ok({{"ok", true}});
  }
  if (r.path == "/_sim/credentials" && r.method == "POST") {
    if (Status set = SetCredentials(body); !set) {
      return set.error().code == Error::Code::kNotFound
                 ? Answer{404, AnswerText(json({{"error", set.error().message}}))}
                 : bad(set.error().message);
    }
    return ok({{"ok", true}});
  }
  return Answer{
      404, AnswerText(json(
               {{"error", "no such admin endpoint: " + r.method + " " + r.path +
                              " (GET /_sim/stats, POST /_sim/reset, GET|POST "
                              "/_sim/faults, GET|POST /_sim/state, POST /_sim/credentials)"}}))};
}

// ---------------------------------------------------------------------------

Simulator::Simulator(SimOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Simulator::~Simulator() = default;
Status Simulator::Start() { return impl_->Start(); }
void Simulator::Stop() { impl_->Stop(); }
std::string Simulator::BaseUrl() const { return impl_->BaseUrl(); }
int Simulator::Port() const { return impl_->Port(); }
nlohmann::json Simulator::Stats() const { return nlohmann::json(impl_->Stats()); }
Status Simulator::SetCredentials(const nlohmann::json& request) {
  return impl_->SetCredentials(json(request));
}
Status Simulator::SetFaults(const nlohmann::json& faults) { return impl_->SetFaults(json(faults)); }
Status Simulator::ForceState(const nlohmann::json& request) {
  return impl_->ForceState(json(request));
}
void Simulator::Reset(bool state) { impl_->Reset(state); }
nlohmann::json Simulator::State() const { return nlohmann::json(impl_->State()); }
nlohmann::json Simulator::ListInstances() const { return nlohmann::json(impl_->ListInstances()); }
Answer Simulator::Dispatch(const Request& request) { return impl_->Dispatch(request); }

}  // namespace converge::sim

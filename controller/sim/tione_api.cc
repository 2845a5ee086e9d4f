// TI-ONE over HTTP: TC3-HMAC-SHA256 verification, the common request headers,
// rate limit and fault injection in front of the simulated TI-ONE (tione_world.h).
#include <set>
#include <sstream>

#include "sim/simulator_impl.h"
#include "sim/tc3_verify.h"
#include "sim/tione_world.h"

namespace converge::sim {

namespace {

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

Answer Simulator::Impl::ServeTione(const Request& r) {
  const std::string action = Trim(r.Header("x-tc-action"));
  const std::string op = TioneWorld::IsAction(action) ? action : "UnknownAction";
  FaultDecision fault;
  std::string request_id;
  {
    std::lock_guard lock(mu_);
    request_id = Uuid(random_);
    ++tione_.calls[op];
    auto reject = [&](const TioneReply& reply) -> Answer {
      tione_.Answered(op, reply.error_code);
      return {200, AnswerText(TioneEnvelope(reply, request_id))};
    };
    if (!tione_.Admit(r.arrived, options_.tione_rate_limit)) {
      std::ostringstream rate;
      rate << options_.tione_rate_limit;
      return reject(
          TioneError("RequestLimitExceeded",
                     "Your current request times equals to `" + std::to_string(tione_.last_rps) +
                         "` in a second, which exceeds the frequency limit `" + rate.str() +
                         "` for a second. Please reduce the frequency of calls."));
    }
    const Tc3Expectation expected{.secret_id = options_.tione_secret_id,
                                  .secret_key = options_.tione_secret_key,
                                  .session_token = options_.tione_session_token,
                                  .service = kTioneService,
                                  .now = std::chrono::duration_cast<std::chrono::seconds>(
                                             clock_->WallNow().time_since_epoch())
                                             .count(),
                                  .skew_tolerance_seconds = options_.clock_skew_tolerance_seconds};
    if (auto failure = VerifyTc3(r, expected)) {
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
    if (fault.mode == FaultMode::kError) {
      ++tione_.fault;
      tione_.Answered(op, "InternalError");
    }
  }
  if (fault.latency.count() > 0) Pause(fault.latency);
  if (fault.mode == FaultMode::kError) {
    return {200,
            AnswerText(TioneEnvelope(TioneError("InternalError",
                                                "An internal error has occurred (injected by the "
                                                "simulator for " +
                                                    op + "). Retry your request."),
                                     request_id))};
  }
  json params = Trim(r.body).empty() ? json::object() : json::parse(r.body, nullptr, false);
  TioneReply reply;
  {
    std::lock_guard lock(mu_);
    if (params.is_discarded() || !params.is_object()) {
      reply = TioneError("InvalidParameter", "The request body is not a valid JSON object.");
    } else {
      reply = world_.tione().Call(action, params);
    }
    tione_.Answered(op, reply.ok() ? "ok" : reply.error_code);
  }
  return {200, AnswerText(TioneEnvelope(reply, request_id)), fault.mode};
}

}  // namespace converge::sim

// SCNet over HTTP: token check, rate limit and fault injection in front of the
// simulated SCNet (scnet_world.h).
#include <optional>
#include <regex>
#include <sstream>

#include "sim/scnet_world.h"
#include "sim/simulator_impl.h"

namespace converge::sim {

Answer Simulator::Impl::ServeScnet(const Request& r, const std::string& op) {
  FaultDecision fault;
  {
    std::lock_guard lock(mu_);
    ++scnet_.calls[op];
    if (!scnet_.Admit(r.arrived, options_.scnet_rate_limit)) {
      scnet_.Answered(op, scnet_code::kInternal);
      std::ostringstream rate;
      rate << options_.scnet_rate_limit;
      return {429, AnswerText(ScnetEnvelope(scnet_code::kInternal,
                                            "request rate limit exceeded: at most " + rate.str() +
                                                " requests per second; retry later"))};
    }
    const bool account =
        op == "ObtainToken" || op == "RenewToken" || op == "TokenState" || op == "DescribeCenter";
    if (!account) {
      if (std::optional<ScnetReply> refused = tokens_.Check(r.Header("token"))) {
        ++scnet_.auth;
        scnet_.Answered(op, refused->body.value("code", ""));
        return {refused->http_status, AnswerText(refused->body)};
      }
    }
    fault = faults_.Decide("scnet", op, random_);
    if (fault.latency.count() > 0) ++scnet_.faults["latency"];
    if (fault.mode != FaultMode::kNone) ++scnet_.faults[FaultModeName(fault.mode)];
    if (fault.mode == FaultMode::kError) {
      ++scnet_.fault;
      scnet_.Answered(op, scnet_code::kInternal);
    }
  }
  if (fault.latency.count() > 0) Pause(fault.latency);
  if (fault.mode == FaultMode::kError) {
    return {200,
            AnswerText(ScnetEnvelope(scnet_code::kInternal,
                                     "internal error (injected by the simulator for " + op + ")"))};
  }
  json body = json::object();
  if (r.method == "POST" && !Trim(r.body).empty()) {
    body = json::parse(r.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      {
        std::lock_guard lock(mu_);
        scnet_.Answered(op, scnet_code::kInvalidParameter);
      }
      return {200, AnswerText(
                       ScnetEnvelope(scnet_code::kInvalidParameter,
                                     "invalid parameter: the request body is not a JSON object"))};
    }
  }
  ScnetReply reply;
  {
    std::lock_guard lock(mu_);
    if (op == "ObtainToken" || op == "RenewToken" || op == "TokenState" || op == "DescribeCenter") {
      reply = ServeScnetAccount(r, op);
      if (reply.body.value("code", "0") != scnet_code::kOk) ++scnet_.auth;
    } else if (op == "ListNotebooks") {
      reply = world_.scnet().ListNotebooks(r.query);
    } else if (op == "StartNotebook") {
      reply = world_.scnet().StartNotebook(body);
    } else if (op == "StartNotebookService") {
      reply = world_.scnet().StartNotebookService(body);
    } else if (op == "CreateContainerInstance") {
      reply = world_.scnet().CreateContainerInstance(body);
    } else if (op == "ListContainerInstances") {
      reply = world_.scnet().ListContainerInstances(r.query);
    } else if (op == "GetContainerInstance") {
      static const std::regex kDetail("^/ai/openapi/v2/instance-service/([^/]+)/detail$");
      std::smatch m;
      std::regex_match(r.path, m, kDetail);
      reply = world_.scnet().GetContainerInstance(m[1]);
    } else if (op == "RestartContainerInstance") {
      reply = world_.scnet().RestartContainerInstance(r.query);
    } else if (op == "StopContainerInstance") {
      reply = world_.scnet().StopContainerInstances(r.query);
    } else if (op == "DeleteContainerInstance") {
      reply = world_.scnet().DeleteContainerInstances(r.query);
    }
    const std::string code = reply.body.value("code", "");
    scnet_.Answered(op, code == scnet_code::kOk ? "ok" : code);
  }
  return {reply.http_status, AnswerText(reply.body), fault.mode};
}

ScnetReply Simulator::Impl::ServeScnetAccount(const Request& r, const std::string& op) {
  if (op == "ObtainToken") return tokens_.Obtain(r);
  if (op == "RenewToken") return tokens_.Renew(r.Header("token"));
  if (op == "TokenState") return tokens_.State(r.Header("token"));
  return tokens_.Center(r.Header("token"), BaseUrl());
}

}  // namespace converge::sim

// The simulated clouds' state and operations (internal). Pure logic, no HTTP:
// each operation takes decoded parameters and returns the wire-format answer.
// Lifecycles advance lazily from timestamps whenever state is read.
// Not thread-safe; the simulator serializes access.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/random.h"
#include "sim/simulator.h"

namespace converge::sim {

using json = nlohmann::ordered_json;

// SCNet answer: {"code","msg","data"}; http_status is 200 unless stated.
struct ScnetReply {
  json body;
  int http_status = 200;
};

// TI-ONE answer: either the Response fields (without RequestId) or an error.
struct TioneReply {
  json fields = json::object();
  std::string error_code;  // empty on success
  std::string error_message;
  bool ok() const { return error_code.empty(); }
};

// "0" success and the SCNet error codes the simulator answers with.
namespace scnet_code {
inline constexpr char kOk[] = "0";
inline constexpr char kInternal[] = "10001";
inline constexpr char kMissingParameter[] = "10003";
inline constexpr char kInvalidParameter[] = "10004";
inline constexpr char kNoAccess[] = "10009";
}  // namespace scnet_code

json ScnetEnvelope(const std::string& code, const std::string& msg, json data = nullptr);
TioneReply TioneError(const std::string& code, const std::string& message);

// "2025-03-02 12:10:20" (UTC+8, as SCNet answers) and "2024-11-11T10:50:44+08" (TI-ONE).
std::string ScnetTime(WallTime t);
std::string TioneTime(WallTime t);

class World {
 public:
  World(const SimOptions& options, Clock& clock, Random& random);

  // Replaces the state with the fixture's ({"scnet":{"notebooks":[],"instances":[]},
  // "tione":{"notebooks":[]}}). False (with `error` naming the entry) when invalid.
  bool Load(const json& fixture, std::string* error);
  void Clear();

  // SCNet; `query` is the decoded query string, `body` the parsed JSON body.
  ScnetReply ListNotebooks(const std::map<std::string, std::string>& query);
  ScnetReply StartNotebook(const json& body);
  ScnetReply StartNotebookService(const json& body);
  ScnetReply CreateContainerInstance(const json& body);
  ScnetReply ListContainerInstances(const std::map<std::string, std::string>& query);
  ScnetReply GetContainerInstance(const std::string& id);
  ScnetReply RestartContainerInstance(const std::map<std::string, std::string>& query);

  // TI-ONE action dispatch; unknown actions -> InvalidAction.
  static bool IsTioneAction(const std::string& action);
  TioneReply Tione(const std::string& action, const json& params);

  bool ForceState(const json& request, std::string* error);
  json State();
  json ListInstances();

 private:
  struct Step {
    std::string status;
    std::chrono::milliseconds after;
  };
  enum class Kind { kScnetNotebook, kScnetInstance, kTioneNotebook };
  struct Resource {
    Kind kind;
    json data;  // the wire record; its status field is kept in sync
    std::string status;
    WallTime since;
    std::deque<Step> pending;
    uint64_t seq = 0;
  };

  void Advance(Resource& r);
  void Enter(Resource& r, const std::string& status, WallTime at);
  void Begin(Resource& r, const std::string& status, std::vector<Step> steps);
  Resource* FindScnetNotebook(const std::string& id);
  Resource* FindInstance(const std::string& id);
  Resource* FindTione(const std::string& id);
  json InstanceItem(Resource& r);
  json TioneListItem(Resource& r);

  TioneReply DescribeNotebooks(const json& p);
  TioneReply DescribeNotebook(const json& p);
  TioneReply CreateNotebook(const json& p);
  TioneReply StartTione(const json& p);
  TioneReply StopTione(const json& p);
  TioneReply TransitionTione(const json& p, const std::vector<std::string>& from,
                             const std::string& verb, const std::string& to,
                             std::vector<Step> pending);

  std::string Digits(int n);
  std::string Hex(int n);
  json NewScnetNotebook(const json& given);
  json NewInstance(const json& given);
  json NewTioneNotebook(const json& given);

  const SimOptions& options_;
  Clock& clock_;
  Random& random_;
  uint64_t next_seq_ = 1;
  std::vector<Resource> scnet_notebooks_;
  std::vector<Resource> instances_;
  std::vector<Resource> tione_notebooks_;
};

}  // namespace converge::sim

// The simulated SCNet (internal): notebooks and container instances. Each
// operation takes decoded parameters and returns the wire-format answer.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "sim/world.h"

namespace converge::sim {

// SCNet answer: {"code","msg","data"}; http_status is 200 unless stated.
struct ScnetReply {
  json body;
  int http_status = 200;
};

// "0" success and the SCNet error codes the simulator answers with.
namespace scnet_code {
inline constexpr char kOk[] = "0";
inline constexpr char kInternal[] = "10001";
inline constexpr char kMissingParameter[] = "10003";
inline constexpr char kInvalidParameter[] = "10004";
inline constexpr char kPermission[] = "10008";
inline constexpr char kNoAccess[] = "10009";
}  // namespace scnet_code

json ScnetEnvelope(const std::string& code, const std::string& msg, json data = nullptr);

// "2025-03-02 12:10:20" (UTC+8, as SCNet answers).
std::string ScnetTime(WallTime t);

class ScnetWorld : public CloudWorld {
 public:
  ScnetWorld(const SimOptions& options, Clock& clock, Random& random);

  // `query` is the decoded query string, `body` the parsed JSON body.
  ScnetReply ListNotebooks(const std::map<std::string, std::string>& query);
  ScnetReply StartNotebook(const json& body);
  ScnetReply StartNotebookService(const json& body);
  ScnetReply CreateContainerInstance(const json& body);
  ScnetReply ListContainerInstances(const std::map<std::string, std::string>& query);
  ScnetReply GetContainerInstance(const std::string& id);
  ScnetReply RestartContainerInstance(const std::map<std::string, std::string>& query);
  // actions/stop?ids=A&ids=B (repeated ids arrive comma-joined): Running, Deploying
  // or Waiting instances become Terminated; any other status is refused (10004).
  ScnetReply StopContainerInstances(const std::map<std::string, std::string>& query);
  // DELETE task?ids=A: removes the instances (any status). An unknown id is
  // refused (10004) and nothing is deleted.
  ScnetReply DeleteContainerInstances(const std::map<std::string, std::string>& query);

  // The container instances as list items, lifecycles evaluated now.
  json ListInstances();

  std::vector<Table*> Tables() override { return {&notebooks_, &instances_}; }
  json NewRecord(const Table& table, const json& given) override;

 protected:
  void Resume(Resource& r) override;
  void Enter(Resource& r, const std::string& status, WallTime at) override;

 private:
  Resource* FindNotebook(const std::string& id);
  Resource* FindInstance(const std::string& id);
  json InstanceItem(Resource& r);
  json NewNotebook(const json& given);
  json NewInstance(const json& given);

  Table notebooks_;
  Table instances_;
};

}  // namespace converge::sim

// The simulated TI-ONE (internal): notebooks. Each action takes the request's
// parameters and returns the Response fields or the cloud's error.
#pragma once

#include <string>
#include <vector>

#include "sim/world.h"

namespace converge::sim {

// TI-ONE answer: either the Response fields (without RequestId) or an error.
struct TioneReply {
  json fields = json::object();
  std::string error_code;  // empty on success
  std::string error_message;
  bool ok() const { return error_code.empty(); }
};

TioneReply TioneError(const std::string& code, const std::string& message);

// "2024-11-11T10:50:44+08" (as TI-ONE answers).
std::string TioneTime(WallTime t);

class TioneWorld : public CloudWorld {
 public:
  TioneWorld(const SimOptions& options, Clock& clock, Random& random);

  static bool IsAction(const std::string& action);
  // Action dispatch; unknown actions -> InvalidAction.
  TioneReply Call(const std::string& action, const json& params);

  std::vector<Table*> Tables() override { return {&notebooks_}; }
  json NewRecord(const Table& table, const json& given) override;

 protected:
  void Resume(Resource& r) override;
  void Enter(Resource& r, const std::string& status, WallTime at) override;

 private:
  TioneReply DescribeNotebooks(const json& p);
  TioneReply DescribeNotebook(const json& p);
  TioneReply CreateNotebook(const json& p);
  TioneReply StartNotebook(const json& p);
  TioneReply StopNotebook(const json& p);
  // Only a notebook that is not running (Stopped, Failed, SubmitFailed).
  TioneReply DeleteNotebook(const json& p);
  // Only while not running; VolumeSizeInGB grows only; ChargeType, VpcId,
  // SubnetId, VolumeSourceType and VolumeSourceCFS are not parameters of it.
  TioneReply ModifyNotebook(const json& p);
  TioneReply Transition(const json& p, const std::vector<std::string>& from,
                        const std::string& verb, const std::string& to, std::vector<Step> pending);
  Resource* Find(const std::string& id);
  // The notebook `p.Id`, its lifecycle moved on to now; nullptr with the cloud's
  // error in `err` when Id is missing, not a string or unknown.
  Resource* FindAndAdvance(const json& p, std::string* id, TioneReply* err);
  json ListItem(Resource& r);

  Table notebooks_;
};

}  // namespace converge::sim

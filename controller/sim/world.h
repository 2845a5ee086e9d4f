// The simulated clouds' state (internal): the shared core every cloud builds on
// (resources, lifecycles advanced lazily from the clock, ids, fixtures, forced
// states) and the World that holds both clouds (scnet_world.h, tione_world.h).
// Pure logic, no HTTP. Not thread-safe; the simulator serializes access.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/random.h"
#include "base/result.h"
#include "sim/simulator.h"

namespace converge::sim {

using json = nlohmann::ordered_json;

// The string value of `v`, or "" when it is not a string.
std::string Str(const json& v);
// An integer given as a JSON number or a numeric string.
bool JsonInt(const json& v, int64_t* out);
bool ParseInt(const std::string& text, int64_t* out);
// `t` in UTC+8 (as both clouds answer), strftime `format`.
std::string FormatUtc8(WallTime t, const char* format);

enum class Kind { kScnetNotebook, kScnetInstance, kTioneNotebook };

// A status the resource reaches `after` it entered the previous one.
struct Step {
  std::string status;
  std::chrono::milliseconds after;
};

struct Resource {
  Kind kind;
  json data;  // the wire record; its status field is kept in sync
  std::string status;
  WallTime since;
  std::deque<Step> pending;
  uint64_t seq = 0;
};

// The resources of one kind and the fields of their records that fixtures and
// POST /_sim/state use.
struct Table {
  Kind kind;
  const char* cloud;       // "scnet"
  const char* kind_name;   // "notebook" (as POST /_sim/state names it)
  const char* where;       // "scnet.notebooks" (as fixtures name it)
  const char* id_key;      // "id"
  const char* name_key;    // "notebookName"
  const char* status_key;  // "notebookStatus"
  const std::set<std::string>& statuses;
  const char* status_help;  // the statuses in the cloud's documented order
  std::vector<Resource> items;
};

// One simulated cloud: its tables and what its kinds do on a status change.
class CloudWorld {
 public:
  CloudWorld(const SimOptions& options, Clock& clock, Random& random)
      : options_(options), clock_(clock), random_(random) {}
  virtual ~CloudWorld() = default;

  virtual std::vector<Table*> Tables() = 0;
  // A new record of `table`'s kind: the cloud's defaults overridden by `given`.
  virtual json NewRecord(const Table& table, const json& given) = 0;

  Resource NewResource(Kind kind, json data) {
    return Resource{kind, std::move(data), "", {}, {}, next_seq_++};
  }
  // A resource loaded from a fixture: in `status` since now, with its kind's
  // pending steps from there.
  void Restore(Resource& r, const std::string& status);
  // Moves `r` along its pending steps up to now.
  void Advance(Resource& r);
  // Enters `status` now, then follows `steps`.
  void Begin(Resource& r, const std::string& status, std::vector<Step> steps);
  // Enters `status` now and stays there (POST /_sim/state).
  void Force(Resource& r, const std::string& status);

 protected:
  // Restore's kind-specific part.
  virtual void Resume(Resource& r) = 0;
  // Records `status`, entered at `at`, in r.data, with the kind's side effects.
  virtual void Enter(Resource& r, const std::string& status, WallTime at) = 0;
  std::string Digits(int n);  // n decimal digits, no leading zero
  std::string Hex(int n);     // n lowercase hex digits

  const SimOptions& options_;
  Clock& clock_;
  Random& random_;

 private:
  uint64_t next_seq_ = 1;
};

class ScnetWorld;
class TioneWorld;

class World {
 public:
  World(const SimOptions& options, Clock& clock, Random& random);
  ~World();

  // Replaces the state with the fixture's ({"scnet":{"notebooks":[],"instances":[]},
  // "tione":{"notebooks":[]}}). kInvalidArgument naming the entry when invalid.
  Status Load(const json& fixture);
  void Clear();
  // POST /_sim/state. kInvalidArgument for a malformed request, kNotFound when
  // no resource matches.
  Status ForceState(const json& request);
  // GET /_sim/state.
  json State();

  ScnetWorld& scnet() { return *scnet_; }
  TioneWorld& tione() { return *tione_; }

 private:
  std::vector<CloudWorld*> Clouds();

  std::unique_ptr<ScnetWorld> scnet_;
  std::unique_ptr<TioneWorld> tione_;
};

}  // namespace converge::sim

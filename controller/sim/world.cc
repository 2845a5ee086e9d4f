#include "sim/world.h"

#include <charconv>
#include <ctime>

#include "sim/scnet_world.h"
#include "sim/tione_world.h"

namespace converge::sim {

bool ParseInt(const std::string& text, int64_t* out) {
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

bool JsonInt(const json& v, int64_t* out) {
  if (v.is_number_integer()) {
    *out = v.get<int64_t>();
    return true;
  }
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (d != static_cast<double>(static_cast<int64_t>(d))) return false;
    *out = static_cast<int64_t>(d);
    return true;
  }
  if (v.is_string()) return ParseInt(v.get<std::string>(), out);
  return false;
}

std::string FormatUtc8(WallTime t, const char* format) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t) + 8 * 3600;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

std::string Str(const json& v) { return v.is_string() ? v.get<std::string>() : std::string(); }

// ---------------------------------------------------------------------------
// CloudWorld: lifecycles and ids

std::string CloudWorld::Digits(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    s.push_back(static_cast<char>('0' + (i == 0 ? 1 + random_.Next() % 9 : random_.Next() % 10)));
  }
  return s;
}

std::string CloudWorld::Hex(int n) {
  static constexpr char kHexDigits[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(kHexDigits[random_.Next() % 16]);
  return s;
}

void CloudWorld::Restore(Resource& r, const std::string& status) {
  r.status = status;
  r.since = clock_.WallNow();
  Resume(r);
}

void CloudWorld::Force(Resource& r, const std::string& status) {
  Advance(r);
  r.pending.clear();
  Enter(r, status, clock_.WallNow());
}

void CloudWorld::Begin(Resource& r, const std::string& status, std::vector<Step> steps) {
  Enter(r, status, clock_.WallNow());
  r.pending.assign(steps.begin(), steps.end());
}

void CloudWorld::Advance(Resource& r) {
  const WallTime now = clock_.WallNow();
  while (!r.pending.empty() && now - r.since >= r.pending.front().after) {
    Step step = r.pending.front();
    r.pending.pop_front();
    Enter(r, step.status, r.since + step.after);
  }
}

// ---------------------------------------------------------------------------
// World

World::World(const SimOptions& options, Clock& clock, Random& random)
    : scnet_(std::make_unique<ScnetWorld>(options, clock, random)),
      tione_(std::make_unique<TioneWorld>(options, clock, random)) {}

World::~World() = default;

std::vector<CloudWorld*> World::Clouds() { return {scnet_.get(), tione_.get()}; }

namespace {

// A table's key in its cloud's fixture section: "notebooks" for "scnet.notebooks".
std::string FixtureKey(const Table& table) {
  const std::string where = table.where;
  return where.substr(where.find('.') + 1);
}

}  // namespace

void World::Clear() {
  for (CloudWorld* cloud : Clouds()) {
    for (Table* table : cloud->Tables()) table->items.clear();
  }
}

Status World::Load(const json& fixture) {
  Clear();
  if (!fixture.is_object()) {
    return std::unexpected(
        Error::InvalidArgument("fixture must be a JSON object with \"scnet\" and/or \"tione\""));
  }
  struct Section {
    CloudWorld* cloud;
    Table* table;
    const json* entries;
  };
  std::vector<Section> sections;
  for (CloudWorld* cloud : Clouds()) {
    for (Table* table : cloud->Tables()) sections.push_back({cloud, table, nullptr});
  }
  // The shape of every section first, then the entries.
  for (Section& s : sections) {
    const std::string key = FixtureKey(*s.table);
    if (!fixture.contains(s.table->cloud)) continue;
    const json& c = fixture[s.table->cloud];
    if (!c.is_object()) {
      return std::unexpected(Error::InvalidArgument(std::string("fixture \"") + s.table->cloud +
                                                    "\" must be an object"));
    }
    if (!c.contains(key)) continue;
    if (!c[key].is_array()) {
      return std::unexpected(
          Error::InvalidArgument(std::string("fixture ") + s.table->where + " must be an array"));
    }
    s.entries = &c[key];
  }
  // Every entry: a string name, a known status; then the kind's own start-up.
  for (const Section& s : sections) {
    const Table& table = *s.table;
    for (size_t i = 0; s.entries && i < s.entries->size(); ++i) {
      const json& e = (*s.entries)[i];
      const std::string where =
          std::string("fixture ") + table.where + "[" + std::to_string(i) + "]";
      if (!e.is_object() || !e.contains(table.name_key) || !e[table.name_key].is_string()) {
        return std::unexpected(
            Error::InvalidArgument(where + ": needs a string \"" + table.name_key + "\""));
      }
      Resource r = s.cloud->NewResource(table.kind, s.cloud->NewRecord(table, e));
      const std::string status = Str(r.data[table.status_key]);
      if (!table.statuses.count(status)) {
        return std::unexpected(Error::InvalidArgument(where + ": unknown " + table.status_key +
                                                      " \"" + status + "\" (" + table.status_help +
                                                      ")"));
      }
      s.cloud->Restore(r, status);
      s.table->items.push_back(std::move(r));
    }
  }
  return {};
}

Status World::ForceState(const json& req) {
  if (!req.is_object()) {
    return std::unexpected(Error::InvalidArgument(
        "state request must be a JSON object {cloud, kind, name|id, status}"));
  }
  const std::string cloud = Str(req.value("cloud", json()));
  std::string kind = Str(req.value("kind", json()));
  const std::string name = Str(req.value("name", json()));
  const std::string id = Str(req.value("id", json()));
  const std::string status = Str(req.value("status", json()));
  if (cloud == "tione" && kind.empty()) kind = "notebook";
  CloudWorld* owner = nullptr;
  Table* table = nullptr;
  for (CloudWorld* c : Clouds()) {
    for (Table* t : c->Tables()) {
      if (t->cloud == cloud && t->kind_name == kind) owner = c, table = t;
    }
  }
  if (!table) {
    return std::unexpected(Error::InvalidArgument(
        "state request needs cloud \"scnet\" with kind \"notebook\" or \"instance\", or "
        "cloud \"tione\" with kind \"notebook\""));
  }
  if (!table->statuses.count(status)) {
    std::string known;
    for (const auto& s : table->statuses) known += (known.empty() ? "" : ", ") + s;
    return std::unexpected(Error::InvalidArgument("unknown status \"" + status + "\" for " + cloud +
                                                  " " + kind + " (" + known + ")"));
  }
  if (name.empty() && id.empty()) {
    return std::unexpected(Error::InvalidArgument("state request needs \"name\" or \"id\""));
  }
  int matched = 0;
  for (auto& r : table->items) {
    if (!id.empty() ? Str(r.data[table->id_key]) != id : Str(r.data[table->name_key]) != name) {
      continue;
    }
    owner->Force(r, status);
    ++matched;
  }
  if (matched == 0) {
    return std::unexpected(Error::NotFound("no " + cloud + " " + kind + " with " +
                                           (id.empty() ? "name \"" + name : "id \"" + id) + "\""));
  }
  return {};
}

json World::State() {
  json out = json::object();
  for (CloudWorld* cloud : Clouds()) {
    for (Table* table : cloud->Tables()) {
      json items = json::array();
      for (auto& r : table->items) {
        cloud->Advance(r);
        items.push_back(r.data);
      }
      out[table->cloud][FixtureKey(*table)] = std::move(items);
    }
  }
  return out;
}

}  // namespace converge::sim

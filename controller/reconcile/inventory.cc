#include "reconcile/inventory.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <utility>

#include <nlohmann/json.hpp>

#include "base/write_all.h"

namespace converge::reconcile {
namespace fs = std::filesystem;
namespace {

constexpr char kFile[] = "inventory.json";

std::unexpected<Error> IOError(const std::string& what) {
  return std::unexpected(Error::IOError(what + ": " + std::strerror(errno) +
                                        " (check the state dir's permissions and free space)"));
}

nlohmann::json ToJson(const InventoryEntry& e) {
  return {{"kind", e.kind},         {"provider", e.provider}, {"name", e.name},
          {"id", e.cloud_id},       {"owned", e.owned},       {"deletionPolicy", e.deletion_policy},
          {"revision", e.revision}, {"state", e.state}};
}

// False when `j` is not a complete entry.
bool FromJson(const nlohmann::json& j, InventoryEntry* e) {
  if (!j.is_object()) return false;
  for (const char* key : {"kind", "provider", "name", "id", "deletionPolicy"}) {
    if (!j.contains(key) || !j[key].is_string() || j[key].get<std::string>().empty()) {
      return false;
    }
  }
  if (!j.contains("owned") || !j["owned"].is_boolean()) return false;
  e->kind = j["kind"];
  e->provider = j["provider"];
  e->name = j["name"];
  e->cloud_id = j["id"];
  e->owned = j["owned"];
  e->deletion_policy = j["deletionPolicy"];
  e->revision = j.value("revision", "");
  e->state = j.value("state", "");
  return e->deletion_policy == "Orphan" || e->deletion_policy == "Stop" ||
         e->deletion_policy == "Delete";
}

}  // namespace

std::vector<InventoryEntry> Inventory::Entries() const {
  size_t size = 0;
  return Entries([](const std::string&, const InventoryEntry&) { return true; }, &size);
}

std::optional<InventoryEntry> Inventory::Find(const std::string& key) const {
  size_t size = 0;
  std::vector<InventoryEntry> found =
      Entries([&](const std::string& k, const InventoryEntry&) { return k == key; }, &size);
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

std::vector<InventoryEntry> MapInventory::Entries(const EntryFilter& keep, size_t* size) const {
  std::lock_guard lock(mu_);
  std::vector<InventoryEntry> out;
  for (const auto& [key, e] : entries_) {
    if (keep(key, e)) out.push_back(e);
  }
  *size = entries_.size();
  return out;
}

bool MapInventory::Holds(const InventoryEntry& entry) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(entry.Key());
  return it != entries_.end() && it->second == entry;
}

Result<std::unique_ptr<FileInventory>> FileInventory::Open(const std::string& dir, bool read_only) {
  std::error_code ec;
  if (!read_only) fs::create_directories(dir, ec);
  if (ec) {
    return std::unexpected(Error::IOError("state dir " + dir + ": " + ec.message() +
                                          " (check --state-dir and permissions)"));
  }
  std::unique_ptr<FileInventory> inv(new FileInventory(dir));
  const fs::path path = fs::path(dir) / kFile;
  if (!fs::exists(path, ec)) return inv;
  std::ifstream in(path);
  nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  std::map<std::string, InventoryEntry> entries;
  bool ok =
      !j.is_discarded() && j.is_object() && j.contains("resources") && j["resources"].is_array();
  if (ok) {
    for (const auto& item : j["resources"]) {
      InventoryEntry e;
      if (!FromJson(item, &e)) {
        ok = false;
        break;
      }
      entries[e.Key()] = e;
    }
  }
  if (!ok) {
    const std::string aside = path.string() + ".corrupt";
    if (!read_only) fs::rename(path, aside, ec);
    inv->load_error_ = "inventory " + path.string() +
                       " is unreadable or corrupt and is not trusted" +
                       (read_only ? std::string() : " (kept as " + aside + ")") +
                       "; nothing it listed will be pruned, and it is rebuilt from what the "
                       "manifests declare";
    return inv;
  }
  inv->entries_ = std::move(entries);
  return inv;
}

int FileInventory::Writes() const {
  std::lock_guard lock(mu_);
  return writes_;
}

Status FileInventory::WriteLocked() {
  ++writes_;
  const std::string path = (fs::path(dir_) / kFile).string();
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return IOError("write inventory " + tmp);
  // One entry per line, serialized one at a time and written 64 KiB at a time:
  // neither a document nor the text of the whole inventory is held in memory.
  constexpr size_t kChunk = 64 << 10;
  std::string chunk = "{\n \"version\": 1,\n \"resources\": [";
  chunk.reserve(kChunk + 512);
  bool written = true;
  const char* separator = "\n  ";
  for (const auto& [key, e] : entries_) {
    chunk += separator;
    chunk += ToJson(e).dump();
    separator = ",\n  ";
    if (chunk.size() >= kChunk) {
      written = WriteAll(fd, chunk);
      if (!written) break;
      chunk.clear();
    }
  }
  chunk += entries_.empty() ? "]\n}\n" : "\n ]\n}\n";
  written = written && WriteAll(fd, chunk) && ::fsync(fd) == 0;
  Status result = written ? Status{} : Status{IOError("write inventory " + tmp)};
  ::close(fd);
  if (!result) return result;
  if (::rename(tmp.c_str(), path.c_str()) != 0) return IOError("rename inventory " + path);
  const int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd < 0) return IOError("open " + dir_);
  const bool synced = ::fsync(dfd) == 0;
  ::close(dfd);
  if (!synced) return IOError("fsync " + dir_);
  return {};
}

Status FileInventory::PutAll(std::vector<InventoryEntry> entries) {
  std::lock_guard lock(mu_);
  // Applied in place; the keys added and what replaced entries held before are
  // kept to put back if the write fails (all or none), so a batch never copies
  // the whole inventory.
  std::vector<std::string> added;
  std::vector<InventoryEntry> replaced;
  for (auto& e : entries) {
    auto it = entries_.find(e.Key());
    if (it == entries_.end()) {
      it = entries_.emplace(e.Key(), std::move(e)).first;
      added.push_back(it->first);
    } else if (!(it->second == e)) {
      replaced.push_back(std::exchange(it->second, std::move(e)));
    }
  }
  if (added.empty() && replaced.empty()) return {};
  Status written = WriteLocked();
  if (!written) {
    for (auto it = replaced.rbegin(); it != replaced.rend(); ++it) entries_[it->Key()] = *it;
    for (const auto& key : added) entries_.erase(key);
  }
  return written;
}

Status FileInventory::Remove(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return {};
  const InventoryEntry before = it->second;
  entries_.erase(it);
  Status written = WriteLocked();
  if (!written) entries_[key] = before;
  return written;
}

std::string FileInventory::LoadError() const {
  std::lock_guard lock(mu_);
  return load_error_;
}

Status MemoryInventory::PutAll(std::vector<InventoryEntry> entries) {
  std::lock_guard lock(mu_);
  for (auto& e : entries) entries_[e.Key()] = std::move(e);
  return {};
}

Status MemoryInventory::Remove(const std::string& key) {
  std::lock_guard lock(mu_);
  entries_.erase(key);
  return {};
}

}  // namespace converge::reconcile

// The inventory: every resource Converge created or adopted (kind, name,
// provider, cloud id, whether it carried Converge's ownership mark, and how it
// was last declared, its deletionPolicy included). Pruning acts only on what
// the inventory holds; losing or corrupting it never causes a deletion, only
// fewer prunes (a corrupt inventory is reported and not trusted).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace converge::reconcile {

struct InventoryEntry {
  std::string kind;  // "ContainerInstance" | "TiOneNotebook"
  std::string provider;
  std::string name;
  std::string cloud_id;
  bool owned = false;                      // carried the ownership mark when last seen
  std::string deletion_policy = "Orphan";  // as last declared: Orphan | Stop | Delete
  std::string revision;                    // the manifest revision that last declared it
  // ContainerInstance: spec.state as last declared, so that a controller started
  // after a pause still restarts on state Running (Observation::paused).
  std::string state;
  std::string Key() const { return kind + "/" + provider + "/" + name; }
  bool operator==(const InventoryEntry&) const = default;
};

// Thread-safe.
class Inventory {
 public:
  virtual ~Inventory() = default;
  // Adds or replaces each entry by Key(), all or none; durable on return, with
  // one write for the whole batch, and none when nothing changed (a pass records
  // every resource it observed with one call, not one write per resource).
  // Taken by value: a pass's batch is moved in, not copied entry by entry.
  virtual Status PutAll(std::vector<InventoryEntry> entries) = 0;
  Status Put(const InventoryEntry& entry) { return PutAll({entry}); }
  // Forgets an entry (its resource is gone from the cloud). Idempotent.
  virtual Status Remove(const std::string& key) = 0;
  // The entries `keep` accepts (given each entry's Key() too), and in *size how
  // many there are in all: a pass copies what it prunes, not the whole inventory.
  using EntryFilter = std::function<bool(const std::string& key, const InventoryEntry&)>;
  virtual std::vector<InventoryEntry> Entries(const EntryFilter& keep, size_t* size) const = 0;
  std::vector<InventoryEntry> Entries() const;
  // Whether `entry` is held exactly as given (a pass records only what differs,
  // so an inventory of 10,000 is not copied into every pass).
  virtual bool Holds(const InventoryEntry& entry) const = 0;
  std::optional<InventoryEntry> Find(const std::string& key) const;
  // Why the stored inventory was not trusted when loaded ("" when it was).
  virtual std::string LoadError() const { return ""; }
};

// The entries by Key() in memory, and reading them: what both inventories share.
class MapInventory : public Inventory {
 public:
  using Inventory::Entries;
  std::vector<InventoryEntry> Entries(const EntryFilter& keep, size_t* size) const override;
  bool Holds(const InventoryEntry& entry) const override;

 protected:
  mutable std::mutex mu_;
  std::map<std::string, InventoryEntry> entries_;  // guarded by mu_
};

// DIR/inventory.json, rewritten whole with write-temp + fsync + rename +
// fsync(dir) on every change. Shares the state dir (and its lock) with the journal.
class FileInventory : public MapInventory {
 public:
  // Creates DIR if needed. A missing file is an empty inventory; an unreadable
  // or corrupt one is an empty inventory whose LoadError() says why (it is kept
  // aside as inventory.json.corrupt for inspection, unless `read_only`, as for
  // plan). An error only when DIR is unusable.
  static Result<std::unique_ptr<FileInventory>> Open(const std::string& dir,
                                                     bool read_only = false);

  Status PutAll(std::vector<InventoryEntry> entries) override;
  Status Remove(const std::string& key) override;
  std::string LoadError() const override;
  // How many times the file was written (each a write, fsync, rename and
  // directory fsync), for tests.
  int Writes() const;

 private:
  explicit FileInventory(std::string dir) : dir_(std::move(dir)) {}
  Status WriteLocked();

  std::string dir_;
  std::string load_error_;
  int writes_ = 0;
};

// In memory, for plan without a state dir and tests.
class MemoryInventory : public MapInventory {
 public:
  Status PutAll(std::vector<InventoryEntry> entries) override;
  Status Remove(const std::string& key) override;
};

}  // namespace converge::reconcile

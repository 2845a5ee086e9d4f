// The controller's unit-test fixture: an in-memory provider per cloud, a
// simulated clock and a pinned random source. Test-only.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/random.h"
#include "reconcile/controller.h"
#include "reconcile/fake_provider.h"
#include "reconcile/journal.h"
#include "support/manifests.h"

namespace converge::reconcile::testing {

inline manifest::ContainerInstance Instance(const std::string& name) {
  return test_support::ContainerInstanceModel(name);
}

inline manifest::NotebookService Service() {
  return test_support::NotebookServiceModel("webui", "python app.py");
}

inline manifest::TiOneNotebook TiOne(const std::string& name, const std::string& state) {
  return test_support::TiOneNotebookModel(name, state);
}

// `Journal` is the journal type the controller writes to.
template <typename JournalT>
class ControllerTestWith : public ::testing::Test {
 protected:
  ControllerTestWith()
      : scnet_(std::make_shared<FakeProvider>("scnet")),
        tione_(std::make_shared<FakeProvider>("tione")),
        random_(0),
        controller_(Options(), journal_, clock_, random_) {}

  static ControllerOptions Options() {
    ControllerOptions o;
    o.resync = std::chrono::seconds(30);
    o.poll = std::chrono::seconds(2);
    o.create_grace = std::chrono::seconds(10);
    o.concurrency = 4;
    return o;
  }

  void Install(std::vector<manifest::Resource> resources) {
    manifest::ManifestSet m;
    m.revision = "rev1";
    m.resources = std::move(resources);
    ProviderMap providers;
    providers["scnet"] = {
        scnet_, {cloud::ResourceKind::kContainerInstance, cloud::ResourceKind::kNotebook}};
    providers["tione"] = {tione_, {cloud::ResourceKind::kTiOneNotebook}};
    controller_.SetManifests(std::move(m), std::move(providers));
  }

  ResourceStatus StatusOf(const std::string& name) {
    for (const auto& r : controller_.Snapshot().resources) {
      if (r.name == name) return r;
    }
    ADD_FAILURE() << "no status for " << name;
    return {};
  }

  int CountNamed(const std::string& name) {
    int n = 0;
    for (const auto& o : scnet_->All()) n += o.name == name ? 1 : 0;
    return n;
  }

  std::shared_ptr<FakeProvider> scnet_, tione_;
  JournalT journal_;
  SimulatedClock clock_;
  PinnedRandom random_;
  Controller controller_;
};
using ControllerTest = ControllerTestWith<MemoryJournal>;

// The lines of `text` that contain `needle`, without their timestamps.
inline std::vector<std::string> LinesWith(const std::string& text, const std::string& needle) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.find(needle) == std::string::npos) continue;
    out.push_back(line.substr(line.find(' ') + 1));
  }
  return out;
}

}  // namespace converge::reconcile::testing

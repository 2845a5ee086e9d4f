// Benchmarks of the reconcile path (Google Benchmark). Results, with the machine
// and the date, are recorded in bench/RESULTS.md; run with
//   build/bench/converge_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include "base/log.h"
#include "cloud/provider_factory.h"
#include "cloud/scnet/scnet_api.h"
#include "cloud/tione/tc3_signer.h"
#include "manifest/loader.h"
#include "reconcile/controller.h"
#include "reconcile/diff.h"
#include "sim/simulator.h"
#include "support/manifests.h"
#include "support/temp_dir.h"

namespace converge {
namespace {

manifest::ContainerInstance Instance(int i) {
  return test_support::ContainerInstanceModel("bench-" + std::to_string(i));
}

double PeakRssMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

// The pure diff of one running, in-sync container instance (attributes compared).
void BM_DiffInSyncInstance(benchmark::State& state) {
  const manifest::Resource desired = Instance(1);
  cloud::Observed o;
  o.name = "bench-1";
  o.status = "Running";
  o.attributes = {{"cpuNumber", "3"},
                  {"ramSize", "15360"},
                  {"gpuNumber", "1"},
                  {"taskType", "jupyter"},
                  {"acceleratorType", "gpu"},
                  {"resourceGroup", "TeslaM40"},
                  {"taskNumber", "1"},
                  {"timeoutLimit", "unlimited"},
                  {"version", "jupyter:4.4-py3.7-cpu"},
                  {"imagePath", "10.0.35.26:5000/gpu/admin/base/jupyter:4.4-py3.7-cpu"}};
  reconcile::Observation obs;
  obs.matches = {&o};
  for (auto _ : state) benchmark::DoNotOptimize(reconcile::Diff(desired, obs));
}
BENCHMARK(BM_DiffInSyncInstance);

// Loading and validating N manifests, one ContainerInstance a file plus a Provider.
// Loading and validating N ContainerInstance manifests (one file each, as bench.py
// writes them) and a Provider from a directory, on 1 or 2 threads (the second
// argument; `converge validate` uses 2). CPU time is the benchmark thread's only:
// compare the wall time of the 2-thread rows.
void BM_LoadManifests(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const test_support::TempDir dir("converge-bench-load");
  dir.Write("provider.yaml", test_support::kScnetProviderYaml);
  for (int i = 0; i < n; ++i) {
    dir.Write("ci-" + std::to_string(i) + ".yaml",
              test_support::ContainerInstanceYaml("", "ci-" + std::to_string(i)));
  }
  const manifest::LoadOptions options{.threads = static_cast<size_t>(state.range(1))};
  for (auto _ : state) {
    manifest::LoadResult loaded = manifest::LoadPaths({dir.path()}, options);
    if (!loaded.ok()) state.SkipWithError(loaded.errors.front().ToString().c_str());
    benchmark::DoNotOptimize(loaded);
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_LoadManifests)
    ->Args({1000, 1})
    ->Args({1000, 2})
    ->Args({10000, 1})
    ->Args({10000, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// One TC3-HMAC-SHA256 signature of a DescribeNotebooks request.
void BM_SignTc3(benchmark::State& state) {
  cloud::tione::Tc3Input in;
  in.secret_id = "AKIDbenchmark";
  in.secret_key = "benchmark-secret-key";
  in.host = "tione.tencentcloudapi.com";
  in.service = "tione";
  in.action = "DescribeNotebooks";
  in.content_type = "application/json; charset=utf-8";
  in.payload = R"({"Offset":0,"Limit":100})";
  in.timestamp = 1795460647;
  for (auto _ : state) benchmark::DoNotOptimize(cloud::tione::SignTc3(in));
}
BENCHMARK(BM_SignTc3);

// One SCNet container-instance list answer of 50 items, as the simulator sends it.
std::string InstancePageAnswer() {
  nlohmann::json items = nlohmann::json::array();
  for (int i = 0; i < 50; ++i) {
    items.push_back({{"id", "id-" + std::to_string(i)},
                     {"instanceServiceName", "bench-" + std::to_string(i)},
                     {"status", "Running"},
                     {"description", "managed-by=converge"},
                     {"cpuNumber", 3},
                     {"ramSize", 15360},
                     {"gpuNumber", 1},
                     {"taskType", "jupyter"},
                     {"acceleratorType", "gpu"},
                     {"resourceGroup", "TeslaM40"},
                     {"taskNumber", 1},
                     {"timeoutLimit", "unlimited"},
                     {"version", "jupyter:4.4-py3.7-cpu"},
                     {"imagePath", "10.0.35.26:5000/gpu/admin/base/jupyter:4.4-py3.7-cpu"},
                     {"createTime", "2026-11-23 10:00:00"},
                     {"startTime", "2026-11-23 10:00:05"}});
  }
  return nlohmann::json{
      {"code", "0"}, {"msg", "success"}, {"data", {{"total", 10000}, {"list", items}}}}
      .dump();
}

// Reading that answer as a list sweep does: in one pass, no JSON tree.
void BM_ParseInstancePage(benchmark::State& state) {
  const std::string text = InstancePageAnswer();
  for (auto _ : state) {
    cloud::Result<cloud::http::ListPage> page = std::unexpected(cloud::Error{});
    benchmark::DoNotOptimize(cloud::scnet::InterpretInstancePage({200, text}, &page));
    if (!page || page->items.size() != 50) state.SkipWithError("the page was not read");
    benchmark::DoNotOptimize(page);
  }
  state.SetItemsProcessed(state.iterations() * 50);
}
BENCHMARK(BM_ParseInstancePage);

// The same answer through the tree route (InterpretResponse, then ParseInstancePage
// on its data), which the sweeps used before; single answers (details) still do.
void BM_ParseInstancePageTree(benchmark::State& state) {
  const std::string text = InstancePageAnswer();
  for (auto _ : state) {
    cloud::http::Interpretation answer = cloud::scnet::InterpretResponse({200, text});
    auto page = cloud::scnet::ParseInstancePage(*answer.value);
    benchmark::DoNotOptimize(page);
  }
  state.SetItemsProcessed(state.iterations() * 50);
}
BENCHMARK(BM_ParseInstancePageTree);

// A steady-state full pass over N Running container instances: list every page
// from the simulator over loopback HTTP (real SCNet adapter), diff each, no action.
void BM_SteadyStatePass(benchmark::State& state) {
  log::SetLevel(log::Level::kError);
  const int n = static_cast<int>(state.range(0));
  nlohmann::json instances = nlohmann::json::array();
  manifest::ManifestSet manifests;
  manifests.revision = "bench";
  for (int i = 0; i < n; ++i) {
    instances.push_back({{"id", "id-" + std::to_string(i)},
                         {"instanceServiceName", "bench-" + std::to_string(i)},
                         {"status", "Running"},
                         {"description", "managed-by=converge"}});
    manifests.resources.push_back(Instance(i));
  }
  const test_support::TempDir dir("converge-bench");
  const std::string fixture =
      dir.Write("fixture.json", nlohmann::json{{"scnet", {{"instances", instances}}}}.dump());
  sim::SimOptions options;
  options.address = "127.0.0.1:0";
  options.fixture_file = fixture;
  sim::Simulator simulator(options);
  if (Status started = simulator.Start(); !started) {
    state.SkipWithError(started.error().message.c_str());
    return;
  }
  cloud::ProviderConfig config;
  config.name = "scnet";
  config.endpoint = simulator.BaseUrl();
  config.token = sim::kTestScnetToken;
  config.qps = 1000;
  config.burst = 1000;
  config.page_size = 100;
  reconcile::ProviderMap providers;
  providers["scnet"] = {std::shared_ptr<cloud::Provider>(cloud::MakeProvider(config)),
                        {cloud::ResourceKind::kContainerInstance, cloud::ResourceKind::kNotebook}};
  reconcile::MemoryJournal journal;
  RealRandom random(1);
  reconcile::Controller controller({}, journal, RealClock::Get(), random);
  controller.SetManifests(std::move(manifests), std::move(providers));
  int actions = 0;
  for (auto _ : state) actions += controller.RunPass(true).actions;
  if (actions != 0) state.SkipWithError("a steady-state pass acted");
  state.counters["resources"] = n;
  state.counters["list_calls"] =
      static_cast<double>(simulator.Stats()["scnet"]["calls"].value("ListContainerInstances", 0)) /
      static_cast<double>(state.iterations());
  state.counters["peak_rss_MiB"] = PeakRssMiB();
}
BENCHMARK(BM_SteadyStatePass)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace converge

BENCHMARK_MAIN();

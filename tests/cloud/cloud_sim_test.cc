// The SCNet and TI-ONE clients against the simulator over real HTTP on loopback:
// every operation, pagination, retryable and final failures, timeouts,
// commit-then-drop creates and rate-limit compliance.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "cloud/scnet/scnet_provider.h"
#include "cloud/tione/tione_provider.h"
#include "cloud_sim_harness.h"

namespace converge::cloud::testing {
namespace {

using ::testing::HasSubstr;

std::set<std::string> Names(const std::vector<Observed>& items) {
  std::set<std::string> out;
  for (const Observed& o : items) out.insert(o.name);
  return out;
}

const Observed* Named(const std::vector<Observed>& items, const std::string& name) {
  for (const Observed& o : items) {
    if (o.name == name) return &o;
  }
  return nullptr;
}

std::set<std::string> SevenNames(const std::string& prefix) {
  std::set<std::string> out = {prefix + "-1x"};
  for (int i = 1; i <= 6; ++i) out.insert(prefix + "-" + std::to_string(i));
  return out;
}

// --- Listing ----------------------------------------------------------------

TEST_F(CloudSimTest, ListsEveryContainerInstanceAcrossPages) {
  auto scnet = Make(ScnetConfig());
  Result<std::vector<Observed>> all = scnet->List(ResourceKind::kContainerInstance);
  ASSERT_TRUE(all) << all.error().ToString();
  EXPECT_EQ(all->size(), 7u);
  EXPECT_EQ(Names(*all), SevenNames("job"));
  EXPECT_EQ(Calls("scnet", "ListContainerInstances"), 4);  // 2+2+2+1
  const Observed* job = Named(*all, "job-3");
  ASSERT_NE(job, nullptr);
  EXPECT_EQ(job->kind, ResourceKind::kContainerInstance);
  EXPECT_EQ(job->status, "Running");
  EXPECT_EQ(job->attributes.at("cpuNumber"), "3");
  EXPECT_EQ(job->attributes.at("ramSize"), "15360");
  EXPECT_EQ(job->attributes.at("resourceGroup"), "TeslaM40");
  EXPECT_EQ(Named(*all, "job-2")->status, "Failed");
}

TEST_F(CloudSimTest, AcceptsTheRecordsShapeOfTheInstanceList) {
  sim_->Stop();
  options_.instance_list_key = "records";
  StartSim();
  auto scnet = Make(ScnetConfig());
  Result<std::vector<Observed>> all = scnet->List(ResourceKind::kContainerInstance);
  ASSERT_TRUE(all) << all.error().ToString();
  EXPECT_EQ(Names(*all), SevenNames("job"));
}

TEST_F(CloudSimTest, ListsEveryScnetNotebookAcrossPages) {
  auto scnet = Make(ScnetConfig());
  Result<std::vector<Observed>> all = scnet->List(ResourceKind::kNotebook);
  ASSERT_TRUE(all) << all.error().ToString();
  EXPECT_EQ(Names(*all), SevenNames("nb"));
  EXPECT_EQ(Calls("scnet", "ListNotebooks"), 4);
  const Observed* nb1 = Named(*all, "nb-1");
  ASSERT_NE(nb1, nullptr);
  EXPECT_EQ(nb1->kind, ResourceKind::kNotebook);
  EXPECT_EQ(nb1->service_command, "python serve.py --port 8080");
  EXPECT_EQ(nb1->service_port, 8080);
  EXPECT_EQ(Named(*all, "nb-2")->status, "Terminated");
  EXPECT_EQ(nb1->attributes.count("sshPassword"), 0u);
}

TEST_F(CloudSimTest, ListsEveryTiOneNotebookAcrossPages) {
  auto tione = Make(TioneConfig());
  Result<std::vector<Observed>> all = tione->List(ResourceKind::kTiOneNotebook);
  ASSERT_TRUE(all) << all.error().ToString();
  EXPECT_EQ(Names(*all), SevenNames("tn"));
  EXPECT_EQ(Calls("tione", "DescribeNotebooks"), 4);
  const Observed* tn = Named(*all, "tn-2");
  ASSERT_NE(tn, nullptr);
  EXPECT_EQ(tn->status, "Stopped");
  EXPECT_EQ(tn->tags.at("team"), "nlp");
  EXPECT_EQ(tn->attributes.at("ChargeType"), "POSTPAID_BY_HOUR");
}

TEST_F(CloudSimTest, ListByNameKeepsExactMatchesOnly) {
  auto scnet = Make(ScnetConfig());
  auto tione = Make(TioneConfig());
  struct Case {
    Provider* provider;
    ResourceKind kind;
    std::string name;
  };
  for (const Case& c : {Case{scnet.get(), ResourceKind::kContainerInstance, "job-1"},
                        Case{scnet.get(), ResourceKind::kNotebook, "nb-1"},
                        Case{tione.get(), ResourceKind::kTiOneNotebook, "tn-1"}}) {
    Result<std::vector<Observed>> found = c.provider->ListByName(c.kind, c.name);
    ASSERT_TRUE(found) << found.error().ToString();
    ASSERT_EQ(found->size(), 1u) << c.name;
    EXPECT_EQ((*found)[0].name, c.name);
    Result<std::vector<Observed>> none = c.provider->ListByName(c.kind, c.name + "-absent");
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());
  }
}

// --- Acting -----------------------------------------------------------------

TEST_F(CloudSimTest, CreatesAContainerInstanceAndReadsItBack) {
  auto scnet = Make(ScnetConfig());
  Result<std::string> id = scnet->CreateContainerInstance(InstanceCreate("bert-finetune"));
  ASSERT_TRUE(id) << id.error().ToString();
  Result<std::vector<Observed>> found =
      scnet->ListByName(ResourceKind::kContainerInstance, "bert-finetune");
  ASSERT_TRUE(found);
  ASSERT_EQ(found->size(), 1u);
  const Observed& o = (*found)[0];
  EXPECT_EQ(o.id, *id);
  EXPECT_EQ(o.description, "managed-by: converge");
  EXPECT_EQ(o.attributes.at("taskType"), "jupyter");
  EXPECT_EQ(o.attributes.at("timeoutLimit"), "01:00:00");
  Result<Observed> detail = static_cast<scnet::ScnetProvider&>(*scnet).GetContainerInstance(*id);
  ASSERT_TRUE(detail) << detail.error().ToString();
  EXPECT_EQ(detail->name, "bert-finetune");
  EXPECT_EQ(Calls("scnet", "GetContainerInstance"), 1);
}

TEST_F(CloudSimTest, RestartsAFailedContainerInstance) {
  auto scnet = Make(ScnetConfig());
  Result<std::vector<Observed>> job = scnet->ListByName(ResourceKind::kContainerInstance, "job-2");
  ASSERT_TRUE(job);
  ASSERT_EQ(job->size(), 1u);
  ASSERT_EQ((*job)[0].status, "Failed");
  Status restarted = scnet->RestartContainerInstance((*job)[0].id);
  ASSERT_TRUE(restarted) << restarted.error().ToString();
  job = scnet->ListByName(ResourceKind::kContainerInstance, "job-2");
  ASSERT_TRUE(job);
  EXPECT_NE((*job)[0].status, "Failed");
  // A running one cannot be restarted: the cloud's own words, not retried.
  Result<std::vector<Observed>> running =
      scnet->ListByName(ResourceKind::kContainerInstance, "job-3");
  Status refused = scnet->RestartContainerInstance((*running)[0].id);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().category, Error::Category::kInvalid);
  EXPECT_EQ(refused.error().code, "10004");
  EXPECT_THAT(refused.error().message, HasSubstr("only Failed, Terminated or Completed"));
  EXPECT_EQ(Calls("scnet", "RestartContainerInstance"), 2);
}

TEST_F(CloudSimClockTest, StartsAScnetNotebookAndItsCustomService) {
  auto scnet = Make(ScnetConfig());
  Result<std::vector<Observed>> nb = scnet->ListByName(ResourceKind::kNotebook, "nb-2");
  ASSERT_TRUE(nb);
  ASSERT_EQ(nb->size(), 1u);
  const std::string id = (*nb)[0].id;
  // Not running yet: execSuccess:false is kRejected with the cloud's errorMsg.
  Status early = scnet->StartNotebookService(id, 1223, "python app.py");
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().category, Error::Category::kRejected);
  EXPECT_EQ(early.error().message,
            "notebook nb-2 is Terminated, not Running; start the notebook first");
  ASSERT_TRUE(scnet->StartNotebook(ResourceKind::kNotebook, id));
  sim_clock_.Advance(std::chrono::milliseconds(120));
  Status service = scnet->StartNotebookService(id, 1223, "python app.py");
  ASSERT_TRUE(service) << service.error().ToString();
  nb = scnet->ListByName(ResourceKind::kNotebook, "nb-2");
  ASSERT_TRUE(nb);
  EXPECT_EQ((*nb)[0].status, "Running");
  EXPECT_EQ((*nb)[0].service_command, "python app.py");
  EXPECT_EQ((*nb)[0].service_port, 1223);
}

TEST_F(CloudSimClockTest, CreatesStopsAndStartsATiOneNotebook) {
  auto tione = Make(TioneConfig());
  Result<std::string> id = tione->CreateTiOneNotebook(TiOneCreate("notebook-test"));
  ASSERT_TRUE(id) << id.error().ToString();
  auto& adapter = static_cast<tione::TiOneProvider&>(*tione);
  Result<Observed> detail = adapter.DescribeNotebook(*id);
  ASSERT_TRUE(detail) << detail.error().ToString();
  EXPECT_EQ(detail->name, "notebook-test");
  EXPECT_EQ(detail->tags.at("managed-by"), "converge");
  EXPECT_EQ(detail->attributes.at("ResourceConf.InstanceType"), "TI.S.MEDIUM.POST");
  EXPECT_EQ(detail->attributes.at("VolumeSizeInGB"), "10");
  EXPECT_EQ(detail->attributes.at("ImageInfo.ImageUrl"),
            "tione.tencentcloudcr.com/qcloud-ti-platform/llm-train:24.03");
  sim_clock_.Advance(std::chrono::milliseconds(120));
  Status stopped = tione->StopNotebook(ResourceKind::kTiOneNotebook, *id);
  ASSERT_TRUE(stopped) << stopped.error().ToString();
  sim_clock_.Advance(std::chrono::milliseconds(120));
  ASSERT_EQ(adapter.DescribeNotebook(*id)->status, "Stopped");
  Status started = tione->StartNotebook(ResourceKind::kTiOneNotebook, *id);
  ASSERT_TRUE(started) << started.error().ToString();
  EXPECT_NE(adapter.DescribeNotebook(*id)->status, "Stopped");
  Result<Observed> missing = adapter.DescribeNotebook("nb-0000000000000000000");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().category, Error::Category::kNotFound);
  EXPECT_EQ(missing.error().code, "ResourceNotFound");
  EXPECT_FALSE(missing.error().request_id.empty());
}

// --- Failures ---------------------------------------------------------------

// One injected internal error per operation: reads and definite refusals of
// start/stop/restart are retried and pass; creates are not retried.
TEST_F(CloudSimTest, RetryableFailuresAreRetriedExceptCreates) {
  auto scnet = Make(ScnetConfig());
  auto tione = Make(TioneConfig());
  Result<std::vector<Observed>> jobs = scnet->List(ResourceKind::kContainerInstance);
  Result<std::vector<Observed>> nbs = scnet->List(ResourceKind::kNotebook);
  Result<std::vector<Observed>> tns = tione->List(ResourceKind::kTiOneNotebook);
  ASSERT_TRUE(jobs && nbs && tns);
  const std::string failed_job = Named(*jobs, "job-2")->id;
  const std::string stopped_nb = Named(*nbs, "nb-2")->id;
  const std::string running_nb = Named(*nbs, "nb-3")->id;
  const std::string stopped_tn = Named(*tns, "tn-2")->id;
  const std::string running_tn = Named(*tns, "tn-3")->id;
  sim_->Reset();

  struct Case {
    std::string cloud, operation;
    std::function<bool()> call;
  };
  const std::vector<Case> cases = {
      {"scnet", "ListContainerInstances",
       [&] { return scnet->List(ResourceKind::kContainerInstance).has_value(); }},
      {"scnet", "ListNotebooks", [&] { return scnet->List(ResourceKind::kNotebook).has_value(); }},
      {"scnet", "RestartContainerInstance",
       [&] { return scnet->RestartContainerInstance(failed_job).has_value(); }},
      {"scnet", "StartNotebook",
       [&] { return scnet->StartNotebook(ResourceKind::kNotebook, stopped_nb).has_value(); }},
      {"scnet", "StartNotebookService",
       [&] { return scnet->StartNotebookService(running_nb, 7860, "run").has_value(); }},
      {"scnet", "GetContainerInstance",
       [&] {
         return static_cast<scnet::ScnetProvider&>(*scnet)
             .GetContainerInstance(failed_job)
             .has_value();
       }},
      {"tione", "DescribeNotebooks",
       [&] { return tione->List(ResourceKind::kTiOneNotebook).has_value(); }},
      {"tione", "DescribeNotebook",
       [&] {
         return static_cast<tione::TiOneProvider&>(*tione).DescribeNotebook(running_tn).has_value();
       }},
      {"tione", "StopNotebook",
       [&] { return tione->StopNotebook(ResourceKind::kTiOneNotebook, running_tn).has_value(); }},
      {"tione", "StartNotebook",
       [&] { return tione->StartNotebook(ResourceKind::kTiOneNotebook, stopped_tn).has_value(); }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.operation);
    Fault({{"cloud", c.cloud}, {"operation", c.operation}, {"mode", "error"}, {"times", 1}});
    const int64_t before = Calls(c.cloud, c.operation);
    EXPECT_TRUE(c.call());
    const int64_t pages =
        c.operation.starts_with("List") || c.operation == "DescribeNotebooks" ? 4 : 1;
    EXPECT_EQ(Calls(c.cloud, c.operation) - before, pages + 1);
  }

  Fault({{"cloud", "scnet"},
         {"operation", "CreateContainerInstance"},
         {"mode", "error"},
         {"times", 1}});
  Result<std::string> instance = scnet->CreateContainerInstance(InstanceCreate("once"));
  ASSERT_FALSE(instance);
  EXPECT_EQ(instance.error().code, "10001");
  EXPECT_EQ(instance.error().category, Error::Category::kServer);
  EXPECT_TRUE(instance.error().retryable);
  EXPECT_FALSE(instance.error().outcome_unknown);
  EXPECT_EQ(Calls("scnet", "CreateContainerInstance"), 1);

  Fault({{"cloud", "tione"}, {"operation", "CreateNotebook"}, {"mode", "error"}, {"times", 1}});
  Result<std::string> notebook = tione->CreateTiOneNotebook(TiOneCreate("once"));
  ASSERT_FALSE(notebook);
  EXPECT_EQ(notebook.error().code, "InternalError");
  EXPECT_FALSE(notebook.error().request_id.empty());
  EXPECT_EQ(Calls("tione", "CreateNotebook"), 1);

  const std::vector<std::string> seen = observer_.requests();
  EXPECT_NE(std::find(seen.begin(), seen.end(), "scnet-sim StartNotebook 10001"), seen.end());
  EXPECT_NE(std::find(seen.begin(), seen.end(), "scnet-sim StartNotebook 0"), seen.end());
  EXPECT_NE(std::find(seen.begin(), seen.end(), "tione-sim StopNotebook InternalError"),
            seen.end());
}

TEST_F(CloudSimTest, PersistentFailureGivesUpAfterMaxRetries) {
  auto scnet = Make(ScnetConfig());
  Fault({{"cloud", "scnet"}, {"operation", "ListNotebooks"}, {"mode", "error"}});
  Result<std::vector<Observed>> r = scnet->List(ResourceKind::kNotebook);
  ASSERT_FALSE(r);
  EXPECT_EQ(Calls("scnet", "ListNotebooks"), 4);
  EXPECT_EQ(r.error().ToString(),
            "ListNotebooks on scnet-sim: internal error (injected by the simulator for "
            "ListNotebooks) (code 10001, HTTP 200)");
}

TEST_F(CloudSimTest, WrongCredentialsAreFinalAuthErrors) {
  ProviderConfig sc = ScnetConfig();
  sc.token = "wrong-token-for-the-auth-test";
  auto scnet = Make(sc);
  Result<std::vector<Observed>> r = scnet->List(ResourceKind::kContainerInstance);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().category, Error::Category::kAuth);
  EXPECT_EQ(r.error().code, "10009");
  EXPECT_FALSE(r.error().retryable);
  EXPECT_EQ(r.error().message,
            "no access: the token is invalid or expired; check the provider's SCNet token (it "
            "may have expired) and its permissions");
  EXPECT_EQ(Calls("scnet", "ListContainerInstances"), 1);

  ProviderConfig tc = TioneConfig();
  tc.secret_key = "wrong-secret-key-for-the-auth-test";
  auto tione = Make(tc);
  Result<std::vector<Observed>> t = tione->List(ResourceKind::kTiOneNotebook);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().category, Error::Category::kAuth);
  EXPECT_EQ(t.error().code, "AuthFailure.SignatureFailure");
  EXPECT_EQ(Calls("tione", "DescribeNotebooks"), 1);
}

TEST_F(CloudSimTest, InvalidCreateIsRefusedWithTheCloudsText) {
  auto scnet = Make(ScnetConfig());
  ContainerInstanceCreate req = InstanceCreate("bad-timeout");
  req.timeout_limit = "soon";
  Result<std::string> id = scnet->CreateContainerInstance(req);
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().category, Error::Category::kInvalid);
  EXPECT_EQ(id.error().code, "10004");
  EXPECT_THAT(id.error().message, HasSubstr("timeoutLimit"));
  EXPECT_FALSE(id.error().outcome_unknown);
}

TEST_F(CloudSimTest, SlowAnswerTimesOut) {
  ProviderConfig c = ScnetConfig();
  c.request_timeout = std::chrono::milliseconds(300);
  c.max_retries = 1;
  auto scnet = Make(c);
  Fault({{"cloud", "scnet"},
         {"operation", "ListNotebooks"},
         {"mode", "latency"},
         {"latency_ms", 1500}});
  const auto start = std::chrono::steady_clock::now();
  Result<std::vector<Observed>> r = scnet->List(ResourceKind::kNotebook);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().category, Error::Category::kTransport);
  EXPECT_EQ(r.error().code, "timeout");
  EXPECT_TRUE(r.error().retryable);
  EXPECT_FALSE(r.error().outcome_unknown);
  EXPECT_EQ(r.error().message,
            "no answer from " + HostPort() + " within 300 ms; the request may have been applied");
  EXPECT_LT(took, std::chrono::milliseconds(1400));
  EXPECT_EQ(Calls("scnet", "ListNotebooks"), 2);
  const std::vector<std::string> seen = observer_.requests();
  EXPECT_EQ(std::count(seen.begin(), seen.end(), "scnet-sim ListNotebooks timeout"), 2);
}

// --- Creates whose answer is lost -------------------------------------------

TEST_F(CloudSimTest, ScnetCreateCommittedThenDroppedIsUnknownAndNotRepeated) {
  auto scnet = Make(ScnetConfig());
  Fault({{"cloud", "scnet"}, {"operation", "CreateContainerInstance"}, {"mode", "drop"}});
  Result<std::string> id = scnet->CreateContainerInstance(InstanceCreate("dropped"));
  ASSERT_FALSE(id);
  EXPECT_TRUE(id.error().outcome_unknown);
  EXPECT_EQ(id.error().category, Error::Category::kTransport);
  EXPECT_EQ(id.error().operation, "CreateContainerInstance");
  EXPECT_EQ(id.error().message, "the connection to " + HostPort() +
                                    " was closed before the whole answer arrived; the request "
                                    "may have been applied");
  EXPECT_EQ(Calls("scnet", "CreateContainerInstance"), 1);
  NoFaults();
  Result<std::vector<Observed>> found =
      scnet->ListByName(ResourceKind::kContainerInstance, "dropped");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->size(), 1u);
}

TEST_F(CloudSimTest, TiOneCreateCommittedThenDroppedIsUnknownAndNotRepeated) {
  auto tione = Make(TioneConfig());
  Fault({{"cloud", "tione"}, {"operation", "CreateNotebook"}, {"mode", "drop"}});
  Result<std::string> id = tione->CreateTiOneNotebook(TiOneCreate("dropped"));
  ASSERT_FALSE(id);
  EXPECT_TRUE(id.error().outcome_unknown);
  EXPECT_EQ(id.error().code, "transport_error");
  EXPECT_EQ(id.error().message, "the connection to " + HostPort() +
                                    " was closed before the whole answer arrived; the request "
                                    "may have been applied");
  EXPECT_EQ(Calls("tione", "CreateNotebook"), 1);
  NoFaults();
  Result<std::vector<Observed>> found = tione->ListByName(ResourceKind::kTiOneNotebook, "dropped");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->size(), 1u);
}

TEST_F(CloudSimTest, CreateWithGarbledOrMissingAnswerIsUnknown) {
  ProviderConfig c = TioneConfig();
  c.request_timeout = std::chrono::milliseconds(300);
  auto tione = Make(c);
  Fault({{"cloud", "tione"}, {"operation", "CreateNotebook"}, {"mode", "malformed"}});
  Result<std::string> garbled = tione->CreateTiOneNotebook(TiOneCreate("garbled"));
  ASSERT_FALSE(garbled);
  EXPECT_EQ(garbled.error().category, Error::Category::kProtocol);
  EXPECT_TRUE(garbled.error().outcome_unknown);
  EXPECT_EQ(Calls("tione", "CreateNotebook"), 1);
  Fault({{"cloud", "tione"}, {"operation", "CreateNotebook"}, {"mode", "hang"}});
  Result<std::string> hung = tione->CreateTiOneNotebook(TiOneCreate("hung"));
  ASSERT_FALSE(hung);
  EXPECT_EQ(hung.error().code, "timeout");
  EXPECT_TRUE(hung.error().outcome_unknown);
  EXPECT_EQ(hung.error().message,
            "no answer from " + HostPort() + " within 300 ms; the request may have been applied");
  EXPECT_EQ(Calls("tione", "CreateNotebook"), 2);
  NoFaults();
  for (const char* name : {"garbled", "hung"}) {
    Result<std::vector<Observed>> found = tione->ListByName(ResourceKind::kTiOneNotebook, name);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->size(), 1u) << name;
  }
}

TEST_F(CloudSimTest, MutateWithLostAnswerIsNotRepeated) {
  auto scnet = Make(ScnetConfig());
  Result<std::vector<Observed>> nb = scnet->ListByName(ResourceKind::kNotebook, "nb-2");
  ASSERT_TRUE(nb);
  Fault({{"cloud", "scnet"}, {"operation", "StartNotebook"}, {"mode", "drop"}});
  Status s = scnet->StartNotebook(ResourceKind::kNotebook, (*nb)[0].id);
  ASSERT_FALSE(s);
  EXPECT_TRUE(s.error().outcome_unknown);
  EXPECT_EQ(Calls("scnet", "StartNotebook"), 1);
}

// --- Rate limits ------------------------------------------------------------

// A token bucket of qps 5, burst 5 lets at most burst + qps*T calls through in
// any window of T seconds; the simulator's busiest one-second window must show
// no more than 5 + 5 = 10.
TEST_F(CloudSimTest, KeepsToTheConfiguredRateFromSeveralThreads) {
  ProviderConfig c = ScnetConfig();
  c.qps = 5;
  c.burst = 5;
  auto scnet = Make(c);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < (t < 2 ? 8 : 7); ++i) {
        if (!scnet->ListByName(ResourceKind::kNotebook, "nb-1")) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures, 0);
  const nlohmann::json stats = sim_->Stats()["scnet"];
  EXPECT_EQ(stats["total_calls"], 30);
  EXPECT_LE(stats["max_requests_per_second"].get<int64_t>(), 10);
  EXPECT_GE(stats["max_requests_per_second"].get<int64_t>(), 5);
  EXPECT_GE(observer_.throttled(), 20);
}

TEST_F(CloudSimTest, StaysUnderTheTiOneServerLimit) {
  sim_->Stop();
  options_.tione_rate_limit = 20;
  StartSim();
  ProviderConfig c = TioneConfig();
  c.qps = 10;
  c.burst = 10;
  auto tione = Make(c);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        if (!tione->ListByName(ResourceKind::kTiOneNotebook, "tn-3")) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures, 0);
  const nlohmann::json stats = sim_->Stats()["tione"];
  EXPECT_EQ(stats["rejected"]["rate_limited"], 0);
  EXPECT_LE(stats["max_requests_per_second"].get<int64_t>(), 20);
}

// --- Configuration ----------------------------------------------------------

TEST_F(CloudSimTest, MisconfiguredProviderFailsEveryCallWithWhatToFix) {
  ProviderConfig c = TioneConfig();
  c.region = "";
  auto tione = Make(c);
  Result<std::vector<Observed>> r = tione->List(ResourceKind::kTiOneNotebook);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().category, Error::Category::kInvalid);
  EXPECT_EQ(r.error().ToString(),
            "List on tione-sim: provider \"tione-sim\" is misconfigured: no TI-ONE region; set "
            "spec.region, e.g. ap-shanghai");
  ProviderConfig s = ScnetConfig();
  s.endpoint = "127.0.0.1:8089";
  EXPECT_THAT(Make(s)->List(ResourceKind::kNotebook).error().message,
              HasSubstr("endpoint \"127.0.0.1:8089\" has no scheme"));
  EXPECT_EQ(sim_->Stats()["tione"]["total_calls"], 0);
}

TEST_F(CloudSimTest, ConfigErrorFailsEveryCallWithoutCallingTheCloud) {
  ProviderConfig c = ScnetConfig();
  c.config_error =
      "spec.token: environment variable SCNET_TOKEN is not set; set it or use fromFile";
  auto scnet = Make(c);
  const auto listed = scnet->List(ResourceKind::kContainerInstance);
  ASSERT_FALSE(listed);
  EXPECT_EQ(listed.error().category, Error::Category::kInvalid);
  EXPECT_FALSE(listed.error().retryable);
  EXPECT_EQ(listed.error().ToString(),
            "List on scnet-sim: provider \"scnet-sim\" is misconfigured: spec.token: environment "
            "variable SCNET_TOKEN is not set; set it or use fromFile");
  EXPECT_EQ(scnet->StartNotebook(ResourceKind::kNotebook, "1").error().operation, "StartNotebook");
  EXPECT_EQ(sim_->Stats()["scnet"]["total_calls"], 0);
}

}  // namespace
}  // namespace converge::cloud::testing

// Secrets never leave the clients: every operation, at debug level, with
// injected faults and wrong credentials; the tokens, keys, signatures and the
// notebooks' sshPasswords must appear in no log line, no error and no observation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/log.h"
#include "base/redact.h"
#include "cloud/scnet/scnet_provider.h"
#include "cloud/tione/tione_provider.h"
#include "cloud_sim_harness.h"

namespace converge::cloud::testing {
namespace {

// Sentinels: the simulator's accepted credentials (unique strings found nowhere
// else) and wrong ones for the failure paths.
const char kWrongToken[] = "SENTINEL-wrong-scnet-token-5d1e";
const char kWrongSecretId[] = "AKIDSENTINELwrongSecretId77a0";
const char kWrongSecretKey[] = "SENTINEL-wrong-secret-key-c4f9";

class RedactionTest : public CloudSimTest {
 protected:
  void Record(const Error& e) {
    text_ += e.ToString() + "\n" + e.message + "\n" + e.code + "\n" + e.request_id + "\n" +
             e.operation + "\n" + e.provider + "\n";
  }
  template <typename T>
  void Record(const Result<T>& r) {
    if (!r) {
      Record(r.error());
      return;
    }
    if constexpr (std::is_same_v<T, std::vector<Observed>>) {
      for (const Observed& o : *r) Record(o);
    } else if constexpr (std::is_same_v<T, Observed>) {
      Record(*r);
    } else if constexpr (std::is_same_v<T, std::string>) {
      text_ += *r + "\n";
    }
  }
  void Record(const Observed& o) {
    text_ += o.id + " " + o.name + " " + o.status + " " + o.description + " " + o.message + " " +
             o.service_command + "\n";
    for (const auto& [k, v] : o.attributes) text_ += k + "=" + v + "\n";
    for (const auto& [k, v] : o.tags) text_ += k + "=" + v + "\n";
  }

  // Runs every operation of both adapters once.
  void EveryOperation(Provider& scnet, Provider& tione) {
    auto& scnet_adapter = static_cast<scnet::ScnetProvider&>(scnet);
    auto& tione_adapter = static_cast<tione::TiOneProvider&>(tione);
    Result<std::vector<Observed>> jobs = scnet.List(ResourceKind::kContainerInstance);
    Record(jobs);
    Result<std::vector<Observed>> nbs = scnet.List(ResourceKind::kNotebook);
    Record(nbs);
    Record(scnet.ListByName(ResourceKind::kNotebook, "nb-1"));
    Record(scnet.ListByName(ResourceKind::kContainerInstance, "job-2"));
    Record(scnet.CreateContainerInstance(InstanceCreate("redaction-" + std::to_string(round_))));
    const std::string job = jobs && !jobs->empty() ? jobs->front().id : "0";
    const std::string nb = nbs && !nbs->empty() ? nbs->front().id : "0";
    Record(scnet_adapter.GetContainerInstance(job));
    Status s = scnet.RestartContainerInstance(job);
    if (!s) Record(s.error());
    s = scnet.StartNotebook(ResourceKind::kNotebook, nb);
    if (!s) Record(s.error());
    s = scnet.StartNotebookService(nb, 7860, "python app.py");
    if (!s) Record(s.error());

    Result<std::vector<Observed>> tns = tione.List(ResourceKind::kTiOneNotebook);
    Record(tns);
    Record(tione.ListByName(ResourceKind::kTiOneNotebook, "tn-1"));
    Record(tione.CreateTiOneNotebook(TiOneCreate("redaction-" + std::to_string(round_))));
    const std::string tn = tns && !tns->empty() ? tns->front().id : "nb-0";
    Record(tione_adapter.DescribeNotebook(tn));
    s = tione.StopNotebook(ResourceKind::kTiOneNotebook, tn);
    if (!s) Record(s.error());
    s = tione.StartNotebook(ResourceKind::kTiOneNotebook, tn);
    if (!s) Record(s.error());
    ++round_;
  }

  std::string text_;
  int round_ = 0;
};

TEST_F(RedactionTest, NoSecretAppearsAnywhere) {
  log::CaptureForTesting capture(log::Level::kDebug);
  ProviderConfig scnet_config = ScnetConfig();
  scnet_config.max_retries = 1;
  ProviderConfig tione_config = TioneConfig();
  tione_config.max_retries = 1;
  auto scnet = Make(scnet_config);
  auto tione = Make(tione_config);
  ProviderConfig bad_scnet = scnet_config;
  bad_scnet.token = kWrongToken;
  ProviderConfig bad_tione = tione_config;
  bad_tione.secret_key = kWrongSecretKey;
  auto wrong_scnet = Make(bad_scnet);
  auto wrong_tione = Make(bad_tione);
  bad_tione.secret_id = kWrongSecretId;
  auto unknown_tione = Make(bad_tione);
  // For the slow round: time out quickly, once.
  for (ProviderConfig* c : {&scnet_config, &tione_config}) {
    c->request_timeout = std::chrono::milliseconds(150);
    c->max_retries = 0;
  }
  auto impatient_scnet = Make(scnet_config);
  auto impatient_tione = Make(tione_config);
  // MakeProvider registered every secret for masking; forget them so this test
  // sees what the clients themselves emit, not what Redact() catches.
  ClearSecretsForTesting();

  EveryOperation(*scnet, *tione);
  EveryOperation(*wrong_scnet, *wrong_tione);
  EveryOperation(*wrong_scnet, *unknown_tione);
  for (const char* mode : {"error", "malformed", "drop"}) {
    Fault({{"operation", "*"}, {"mode", mode}});
    EveryOperation(*scnet, *tione);
  }
  Fault({{"operation", "*"}, {"mode", "latency"}, {"latency_ms", 300}});
  EveryOperation(*impatient_scnet, *impatient_tione);
  NoFaults();

  const std::string logged = capture.Text();
  ASSERT_THAT(logged, ::testing::HasSubstr("operation=DescribeNotebook "));
  ASSERT_THAT(logged, ::testing::HasSubstr("operation=StartNotebookService "));
  ASSERT_THAT(text_, ::testing::HasSubstr("AuthFailure.SignatureFailure"));
  ASSERT_THAT(text_, ::testing::HasSubstr("AuthFailure.SecretIdNotFound"));
  ASSERT_THAT(text_, ::testing::HasSubstr("10009"));
  ASSERT_THAT(text_, ::testing::HasSubstr("(code timeout)"));
  ASSERT_THAT(text_, ::testing::HasSubstr("nb-1"));

  std::vector<std::string> secrets = {
      sim::kTestScnetToken, sim::kTestSecretKey, sim::kTestSecretId, kWrongToken,   kWrongSecretKey,
      kWrongSecretId,       "TC3-HMAC-SHA256",   "Signature=",       "sshPassword", "SENTINEL"};
  for (int i = 1; i <= 7; ++i) secrets.push_back(SshPassword(i));
  // Held in a variable: a range-for over State()["scnet"]["notebooks"] iterates an
  // element of a temporary already destroyed (heap-use-after-free under ASan).
  const nlohmann::json state = sim_->State();
  for (const nlohmann::json& nb : state["scnet"]["notebooks"]) {
    secrets.push_back(nb["sshPassword"].get<std::string>());
  }
  for (const std::string& secret : secrets) {
    EXPECT_EQ(logged.find(secret), std::string::npos) << secret << " in the log";
    EXPECT_EQ(text_.find(secret), std::string::npos) << secret << " in errors or observations";
  }
}

}  // namespace
}  // namespace converge::cloud::testing

#include "reconcile/status.h"

#include <gtest/gtest.h>

namespace converge::reconcile {
namespace {

StatusSnapshot Sample() {
  StatusSnapshot s;
  s.revision = "abc";
  s.last_successful_sync_ms = 1795460645123;
  ResourceStatus r;
  r.kind = "ContainerInstance";
  r.name = "bert";
  r.provider = "scnet";
  r.synced = {"Synced", "True", "Created", "created ci-1", 1795460645123};
  r.last_attempt_ms = 1795460645123;
  r.next_retry_ms = 1795460647000;
  s.resources.push_back(r);
  return s;
}

// Times are RFC 3339 strings (the Kubernetes convention), with the unix
// milliseconds kept beside them; a time that never happened is null.
TEST(StatusJsonTest, TimesAreRfc3339WithMillisecondsKept) {
  const nlohmann::json j = ToJson(Sample());
  EXPECT_EQ(j["lastSuccessfulSyncTime"], "2026-11-23T19:04:05.123Z");
  EXPECT_EQ(j["lastSuccessfulSyncTimeMs"], 1795460645123);
  const auto& r = j["resources"][0];
  EXPECT_EQ(r["lastAttemptTime"], "2026-11-23T19:04:05.123Z");
  EXPECT_EQ(r["lastAttemptTimeMs"], 1795460645123);
  EXPECT_EQ(r["nextRetryTime"], "2026-11-23T19:04:07.000Z");
  EXPECT_EQ(r["nextRetryTimeMs"], 1795460647000);
  EXPECT_EQ(r["conditions"][0]["lastTransitionTime"], "2026-11-23T19:04:05.123Z");
  EXPECT_EQ(r["conditions"][0]["lastTransitionTimeMs"], 1795460645123);
  EXPECT_TRUE(r["conditions"][1]["lastTransitionTime"].is_null());  // Ready never set
  EXPECT_EQ(r["conditions"][1]["lastTransitionTimeMs"], 0);
}

TEST(StatusJsonTest, FromJsonReadsTheRfc3339Times) {
  nlohmann::json j = ToJson(Sample());
  j["resources"][0].erase("nextRetryTimeMs");
  j["resources"][0]["lastAttemptTimeMs"] = 1;  // the string wins
  auto parsed = FromJson(j);
  ASSERT_TRUE(parsed) << parsed.error().message;
  const StatusSnapshot& back = *parsed;
  EXPECT_EQ(back.last_successful_sync_ms, 1795460645123);
  ASSERT_EQ(back.resources.size(), 1u);
  EXPECT_EQ(back.resources[0].last_attempt_ms, 1795460645123);
  EXPECT_EQ(back.resources[0].next_retry_ms, 1795460647000);
  EXPECT_EQ(back.resources[0].synced.last_transition_ms, 1795460645123);
  EXPECT_EQ(back.resources[0].ready.last_transition_ms, 0);
}

// A provider's endpoint (discovered for SCNet access keys) is part of its status.
TEST(StatusJsonTest, ProvidersCarryTheirEndpoint) {
  StatusSnapshot s = Sample();
  s.providers.push_back(
      {.name = "scnet", .listed = true, .endpoint = "https://ai.example.com:65106"});
  const nlohmann::json j = ToJson(s);
  EXPECT_EQ(j["providers"][0], nlohmann::json({{"name", "scnet"},
                                               {"listed", true},
                                               {"error", ""},
                                               {"endpoint", "https://ai.example.com:65106"}}));
  auto parsed = FromJson(j);
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->providers.size(), 1u);
  EXPECT_EQ(parsed->providers[0].endpoint, "https://ai.example.com:65106");
}

TEST(StatusJsonTest, FromJsonRejectsWhatIsNoStatusDocument) {
  for (const char* text : {"[]", "{}", R"({"resources": {}})"}) {
    auto parsed = FromJson(nlohmann::json::parse(text));
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().code, Error::Code::kInternal) << text;
    EXPECT_EQ(parsed.error().message,
              "a status document is a JSON object with a \"resources\" array")
        << text;
  }
  auto wrong_type = FromJson(nlohmann::json::parse(R"({"resources": [{"name": 7}]})"));
  ASSERT_FALSE(wrong_type);
  EXPECT_EQ(wrong_type.error().code, Error::Code::kInternal);
  EXPECT_TRUE(wrong_type.error().message.starts_with("malformed status document: "))
      << wrong_type.error().message;
}

// A provider whose secret file cannot be read shows why (never a value) in
// /status as secretProblem, beside its endpoint; a provider without a problem has
// no such key.
TEST(StatusJsonTest, ProvidersCarryTheirSecretProblemAndEndpoint) {
  StatusSnapshot s;
  s.providers.push_back({.name = "ok", .listed = true});
  s.providers.push_back({.name = "rotating",
                         .listed = true,
                         .secret_problem =
                             "spec.auth.secretKey: cannot read secret file /run/sk; the value read "
                             "before is still used; check the path and its permissions",
                         .endpoint = "https://ai.example.com:65106"});
  const nlohmann::json j = ToJson(s);
  EXPECT_EQ(j["providers"][0],
            nlohmann::json::parse(R"({"name":"ok","listed":true,"error":"","endpoint":""})"));
  EXPECT_EQ(j["providers"][1],
            nlohmann::json({{"name", "rotating"},
                            {"listed", true},
                            {"error", ""},
                            {"endpoint", "https://ai.example.com:65106"},
                            {"secretProblem",
                             "spec.auth.secretKey: cannot read secret file /run/sk; the value "
                             "read before is still used; check the path and its permissions"}}));
  auto parsed = FromJson(j);
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->providers.size(), 2u);
  EXPECT_EQ(parsed->providers[0].secret_problem, "");
  EXPECT_EQ(parsed->providers[1].secret_problem, s.providers[1].secret_problem);
  EXPECT_EQ(parsed->providers[1].endpoint, "https://ai.example.com:65106");
}

}  // namespace
}  // namespace converge::reconcile

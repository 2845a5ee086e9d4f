// TI-ONE actions of the simulator over real HTTP, signed with TC3-HMAC-SHA256.
#include <regex>

#include "sim_harness.h"

namespace converge::sim::testing {
namespace {

using std::chrono::milliseconds;

json CreateParams(const std::string& name) {
  return {{"Name", name},
          {"ChargeType", "POSTPAID_BY_HOUR"},
          {"ResourceConf",
           {{"Cpu", 2000}, {"Memory", 4000}, {"Gpu", 0}, {"InstanceType", "TI.S.MEDIUM.POST"}}},
          {"LogEnable", false},
          {"RootAccess", true},
          {"AutoStopping", false},
          {"DirectInternetAccess", true},
          {"VolumeSizeInGB", 10},
          {"Tags", {{{"TagKey", "managed-by"}, {"TagValue", "converge"}}}}};
}

json ErrorJson(const std::string& code, const std::string& message) {
  return {{"Code", code}, {"Message", message}};
}

class TioneTest : public SimTest {
 protected:
  std::string Create(const std::string& name) {
    Resp r = Tione("CreateNotebook", CreateParams(name));
    EXPECT_FALSE(r.j["Response"].contains("Error")) << r.body;
    return r.j["Response"]["Id"].is_string() ? r.j["Response"]["Id"].get<std::string>() : "";
  }
  json Describe(const json& params) {
    Resp r = Tione("DescribeNotebooks", params);
    EXPECT_FALSE(r.j["Response"].contains("Error")) << r.body;
    return r.j["Response"];
  }
};

TEST_F(TioneTest, DescribeNotebooksListsTheFixture) {
  Resp r = Tione("DescribeNotebooks", json::object());
  ASSERT_EQ(r.status, 200);
  const json& resp = r.j["Response"];
  EXPECT_EQ(resp["TotalCount"], 1);
  ASSERT_EQ(resp["NotebookSet"].size(), 1u);
  EXPECT_EQ(resp["NotebookSet"][0]["Name"], "shared-scratch");
  EXPECT_EQ(resp["NotebookSet"][0]["Status"], "Running");
  EXPECT_EQ(resp["NotebookSet"][0]["ResourceConf"]["Cpu"], 2000);
  EXPECT_TRUE(std::regex_match(resp["RequestId"].get<std::string>(),
                               std::regex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                                          "[0-9a-f]{12}")));
}

TEST_F(TioneTest, CreateStartsAndKeepsTags) {
  const std::string id = Create("notebook-test");
  EXPECT_TRUE(std::regex_match(id, std::regex("nb-[0-9]{19}"))) << id;
  json d = TioneDetail(id);
  EXPECT_EQ(d["Status"], "Submitting");
  EXPECT_EQ(d["Name"], "notebook-test");
  EXPECT_EQ(d["Tags"], json::parse(R"([{"TagKey":"managed-by","TagValue":"converge"}])"));
  EXPECT_EQ(d["ResourceConf"]["InstanceType"], "TI.S.MEDIUM.POST");
  EXPECT_EQ(d["InstanceTypeAlias"], "2C4G");
  Advance(milliseconds(250));
  EXPECT_EQ(TioneDetail(id)["Status"], "Starting");
  Advance(milliseconds(250));
  d = TioneDetail(id);
  EXPECT_EQ(d["Status"], "Running");
  EXPECT_EQ(d["StartTime"], "2023-11-15T06:13:20+08");

  json tagged =
      Describe({{"TagFilters", {{{"TagKey", "managed-by"}, {"TagValues", {"converge"}}}}}});
  EXPECT_EQ(tagged["TotalCount"], 1);
  EXPECT_EQ(tagged["NotebookSet"][0]["Id"], id);
}

TEST_F(TioneTest, StopAndStartFollowTheLifecycle) {
  const std::string id = Create("nb");
  Advance(milliseconds(500));
  Resp stop = Tione("StopNotebook", {{"Id", id}});
  EXPECT_EQ(stop.j["Response"].size(), 1u) << stop.body;  // RequestId only
  EXPECT_EQ(TioneDetail(id)["Status"], "Stopping");
  Advance(milliseconds(300));
  EXPECT_EQ(TioneDetail(id)["Status"], "Stopped");
  EXPECT_EQ(TioneErrorOf(Tione("StopNotebook", {{"Id", id}})),
            ErrorJson("FailedOperation",
                      "The notebook `" + id +
                          "` is Stopped; only Running, Starting or Submitting notebooks can be "
                          "stopped."));
  Resp start = Tione("StartNotebook", {{"Id", id}});
  EXPECT_FALSE(start.j["Response"].contains("Error")) << start.body;
  EXPECT_EQ(TioneDetail(id)["Status"], "Starting");
  Advance(milliseconds(500));
  EXPECT_EQ(TioneDetail(id)["Status"], "Running");
  EXPECT_EQ(TioneErrorOf(Tione("StartNotebook", {{"Id", id}}))["Code"], "FailedOperation");
}

json ModifyParams(const std::string& id, const std::string& name) {
  json p = CreateParams(name);
  p.erase("ChargeType");
  p["Id"] = id;
  return p;
}

TEST_F(TioneTest, ModifyOnlyWhileStoppedAndVolumesOnlyGrow) {
  const std::string id = Create("nb");
  Advance(milliseconds(500));
  json p = ModifyParams(id, "nb");
  p["ResourceConf"]["Cpu"] = 4000;
  p["ResourceConf"]["Memory"] = 8000;
  EXPECT_EQ(TioneErrorOf(Tione("ModifyNotebook", p)),
            ErrorJson("FailedOperation", "The notebook `" + id +
                                             "` is Running; only Stopped, Failed or SubmitFailed "
                                             "notebooks can be modified; stop it first."));
  Tione("StopNotebook", {{"Id", id}});
  Advance(milliseconds(300));
  Resp modified = Tione("ModifyNotebook", p);
  EXPECT_EQ(modified.j["Response"].size(), 1u) << modified.body;  // RequestId only
  json d = TioneDetail(id);
  EXPECT_EQ(d["ResourceConf"]["Cpu"], 4000);
  EXPECT_EQ(d["InstanceTypeAlias"], "4C8G");
  EXPECT_EQ(d["Status"], "Stopped");

  p["VolumeSizeInGB"] = 5;
  EXPECT_EQ(TioneErrorOf(Tione("ModifyNotebook", p)),
            ErrorJson("InvalidParameterValue.VolumeShrinkNotAllow",
                      "The volume of notebook `" + id + "` cannot shrink (10 GB to 5 GB)."));
  p["VolumeSizeInGB"] = 50;
  EXPECT_FALSE(Tione("ModifyNotebook", p).j["Response"].contains("Error"));
  EXPECT_EQ(TioneDetail(id)["VolumeSizeInGB"], 50);

  p["ChargeType"] = "PREPAID";
  EXPECT_EQ(TioneErrorOf(Tione("ModifyNotebook", p))["Code"], "UnknownParameter");
  p.erase("ChargeType");
  p.erase("RootAccess");
  EXPECT_EQ(TioneErrorOf(Tione("ModifyNotebook", p)),
            ErrorJson("MissingParameter",
                      "The request is missing a required parameter "
                      "`RootAccess`."));
  EXPECT_EQ(sim_->Stats()["tione"]["calls"]["ModifyNotebook"], 6);
}

TEST_F(TioneTest, DeleteOnlyANotRunningNotebook) {
  const std::string id = Create("nb");
  Advance(milliseconds(500));
  EXPECT_EQ(TioneErrorOf(Tione("DeleteNotebook", {{"Id", id}}))["Code"], "FailedOperation");
  Tione("StopNotebook", {{"Id", id}});
  EXPECT_EQ(TioneErrorOf(Tione("DeleteNotebook", {{"Id", id}})),
            ErrorJson("FailedOperation", "The notebook `" + id +
                                             "` is Stopping; only Stopped, Failed or SubmitFailed "
                                             "notebooks can be deleted; stop it first."));
  Advance(milliseconds(300));
  Resp deleted = Tione("DeleteNotebook", {{"Id", id}});
  EXPECT_EQ(deleted.j["Response"].size(), 1u) << deleted.body;
  EXPECT_EQ(Describe({{"Filters", {{{"Name", "Name"}, {"Values", {"nb"}}}}}})["TotalCount"], 0);
  EXPECT_EQ(TioneErrorOf(Tione("DeleteNotebook", {{"Id", id}})),
            ErrorJson("ResourceNotFound", "The notebook `" + id + "` does not exist."));
}

TEST_F(TioneTest, CreateValidatesParameters) {
  for (const char* field : {"Name", "ChargeType", "ResourceConf", "LogEnable", "RootAccess",
                            "AutoStopping", "DirectInternetAccess"}) {
    json p = CreateParams("x");
    p.erase(field);
    EXPECT_EQ(TioneErrorOf(Tione("CreateNotebook", p)),
              ErrorJson("MissingParameter", std::string("The request is missing a required "
                                                        "parameter `") +
                                                field + "`."));
  }
  EXPECT_EQ(TioneErrorOf(Tione("CreateNotebook", CreateParams(std::string(61, 'n')))),
            ErrorJson("InvalidParameterValue",
                      "The value of parameter `Name` is invalid: must be 1 to 60 characters, "
                      "got 61"));
  EXPECT_FALSE(Create(std::string(60, 'n')).empty());
  json bad_charge = CreateParams("y");
  bad_charge["ChargeType"] = "FREE";
  EXPECT_EQ(TioneErrorOf(Tione("CreateNotebook", bad_charge)),
            ErrorJson("InvalidParameterValue",
                      "The value of parameter `ChargeType` is invalid: `FREE` is not one of "
                      "PREPAID, POSTPAID_BY_HOUR"));
  json bad_bool = CreateParams("y");
  bad_bool["LogEnable"] = "yes";
  EXPECT_EQ(TioneErrorOf(Tione("CreateNotebook", bad_bool)),
            ErrorJson("InvalidParameter", "The type of parameter `LogEnable` must be Boolean."));
  const std::string first = Create("unique");
  EXPECT_EQ(TioneErrorOf(Tione("CreateNotebook", CreateParams("unique"))),
            ErrorJson("ResourceInUse", "A notebook named `unique` already exists (" + first +
                                           "); names must be unique."));
}

TEST_F(TioneTest, DescribeNotebookErrors) {
  EXPECT_EQ(TioneErrorOf(Tione("DescribeNotebook", json::object())),
            ErrorJson("MissingParameter", "The request is missing a required parameter `Id`."));
  EXPECT_EQ(TioneErrorOf(Tione("DescribeNotebook", {{"Id", "nb-1"}})),
            ErrorJson("ResourceNotFound", "The notebook `nb-1` does not exist."));
}

TEST_F(TioneTest, DescribeNotebooksFiltersAndPages) {
  const std::string a = Create("alpha-1");
  const std::string b = Create("alpha-2");
  Create("beta");
  EXPECT_EQ(Describe(json::object())["TotalCount"], 4);
  EXPECT_EQ(Describe(json::object())["NotebookSet"][0]["Name"], "beta");  // newest first
  json exact = Describe({{"Filters", {{{"Name", "Name"}, {"Values", {"alpha-1"}}}}}});
  EXPECT_EQ(exact["TotalCount"], 1);
  EXPECT_EQ(exact["NotebookSet"][0]["Id"], a);
  json fuzzy =
      Describe({{"Filters", {{{"Name", "Name"}, {"Values", {"alpha"}}, {"Fuzzy", true}}}}});
  EXPECT_EQ(fuzzy["TotalCount"], 2);
  json negative =
      Describe({{"Filters", {{{"Name", "Name"}, {"Values", {"beta"}}, {"Negative", true}}}}});
  EXPECT_EQ(negative["TotalCount"], 3);
  json by_id = Describe({{"Filters", {{{"Name", "Id"}, {"Values", {b}}}}}});
  EXPECT_EQ(by_id["NotebookSet"][0]["Name"], "alpha-2");
  json running = Describe({{"Filters", {{{"Name", "Status"}, {"Values", {"Running"}}}}}});
  EXPECT_EQ(running["TotalCount"], 1);
  json page = Describe({{"Offset", 1}, {"Limit", 2}, {"Order", "ASC"}});
  EXPECT_EQ(page["TotalCount"], 4);
  ASSERT_EQ(page["NotebookSet"].size(), 2u);
  EXPECT_EQ(page["NotebookSet"][0]["Id"], a);
  EXPECT_EQ(page["NotebookSet"][1]["Id"], b);
  EXPECT_EQ(TioneErrorOf(Tione("DescribeNotebooks",
                               {{"Filters", {{{"Name", "Color"}, {"Values", {"red"}}}}}})),
            ErrorJson("InvalidParameterValue",
                      "The value of parameter `Filters.0.Name` is invalid: `Color` is not a "
                      "supported filter (Name, Id, Status, ChargeType, ChargeStatus)"));
}

TEST_F(TioneTest, AcceptsBothSignedHeaderVariants) {
  TioneCall with_action;
  with_action.sign_action = true;
  Resp r = Tione("DescribeNotebooks", json::object(), with_action);
  EXPECT_FALSE(r.j["Response"].contains("Error")) << r.body;
  TioneCall charset;
  charset.content_type = "application/json; charset=utf-8";
  r = Tione("DescribeNotebooks", json::object(), charset);
  EXPECT_FALSE(r.j["Response"].contains("Error")) << r.body;
}

// Tencent's SDKs sign over the host without the port; the Host header has it.
TEST_F(TioneTest, AcceptsASignatureOverTheHostWithoutThePort) {
  TioneCall sdk_style;
  sdk_style.signed_host = "127.0.0.1";
  Resp r = Tione("DescribeNotebooks", json::object(), sdk_style);
  EXPECT_FALSE(r.j["Response"].contains("Error")) << r.body;
  TioneCall other_host;
  other_host.signed_host = "127.0.0.2";
  EXPECT_EQ(TioneErrorOf(Tione("DescribeNotebooks", json::object(), other_host)),
            ErrorJson("AuthFailure.SignatureFailure",
                      "The provided credentials could not be validated. Please check your "
                      "signature is correct."));
  TioneCall other_port;
  other_port.signed_host = "127.0.0.1:1";
  EXPECT_EQ(TioneErrorOf(Tione("DescribeNotebooks", json::object(), other_port))["Code"],
            "AuthFailure.SignatureFailure");
  EXPECT_EQ(sim_->Stats()["tione"]["rejected"]["auth"], 2) << sim_->Stats().dump();
}

// Temporary credentials: with a session token configured every request must carry
// it as X-TC-Token; POST /_sim/credentials rotates it and the keys while serving.
TEST_F(TioneTest, ChecksTheSessionTokenAndRotatesCredentials) {
  ASSERT_TRUE(sim_->SetCredentials({{"tione", {{"sessionToken", "session-one"}}}}));
  const json token_failure_missing = ErrorJson(
      "AuthFailure.TokenFailure",
      "The X-TC-Token header is missing; temporary credentials need their session token.");
  const json token_failure = ErrorJson("AuthFailure.TokenFailure",
                                       "The session token (X-TC-Token) is invalid or expired.");
  EXPECT_EQ(TioneErrorOf(Tione("DescribeNotebooks", json::object())), token_failure_missing);
  TioneCall with_token;
  with_token.session_token = "session-one";
  EXPECT_FALSE(
      Tione("DescribeNotebooks", json::object(), with_token).j["Response"].contains("Error"));

  Resp rotated =
      Admin("POST", "/_sim/credentials",
            {{"tione", {{"secretKey", "rotated-key-2"}, {"sessionToken", "session-two"}}}});
  EXPECT_EQ(rotated.status, 200) << rotated.body;
  EXPECT_EQ(TioneErrorOf(Tione("DescribeNotebooks", json::object(), with_token))["Code"],
            "AuthFailure.SignatureFailure");
  with_token.secret_key = "rotated-key-2";
  EXPECT_EQ(TioneErrorOf(Tione("DescribeNotebooks", json::object(), with_token)), token_failure);
  with_token.session_token = "session-two";
  EXPECT_FALSE(
      Tione("DescribeNotebooks", json::object(), with_token).j["Response"].contains("Error"));
  EXPECT_EQ(sim_->Stats()["tione"]["rejected"]["auth"], 3) << sim_->Stats().dump();

  Resp bad = Admin("POST", "/_sim/credentials", {{"tione", {{"secretKey", ""}}}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.j["error"],
            "credentials: tione.secretKey is not one of secretId, secretKey (non-empty strings) "
            "or sessionToken (a string)");
}

TEST_F(TioneTest, RejectsBadCredentials) {
  const json signature_failure =
      ErrorJson("AuthFailure.SignatureFailure",
                "The provided credentials could not be validated. Please check your signature "
                "is correct.");
  TioneCall wrong_key;
  wrong_key.secret_key = "not-the-key";
  EXPECT_EQ(TioneErrorOf(Tione("DescribeNotebooks", json::object(), wrong_key)), signature_failure);
  TioneCall tampered;
  tampered.body_override = R"({"Limit":100})";
  EXPECT_EQ(TioneErrorOf(Tione("DescribeNotebooks", json::object(), tampered)), signature_failure);
  TioneCall unknown_id;
  unknown_id.secret_id = "AKIDunknown";
  EXPECT_EQ(TioneErrorOf(Tione("DescribeNotebooks", json::object(), unknown_id)),
            ErrorJson("AuthFailure.SecretIdNotFound",
                      "The SecretId is not found, please ensure that your SecretId is "
                      "correct."));
  TioneCall expired;
  expired.timestamp_offset = -301;
  EXPECT_EQ(TioneErrorOf(Tione("DescribeNotebooks", json::object(), expired)),
            ErrorJson("AuthFailure.SignatureExpire",
                      "Signature expired. Timestamp is 1699999699, server time is 1700000000; "
                      "they must be within 300 seconds of each other."));
  TioneCall skewed_but_ok;
  skewed_but_ok.timestamp_offset = 299;
  EXPECT_FALSE(
      Tione("DescribeNotebooks", json::object(), skewed_but_ok).j["Response"].contains("Error"));
  TioneCall unsigned_call;
  unsigned_call.omit_authorization = true;
  EXPECT_EQ(TioneErrorOf(Tione("DescribeNotebooks", json::object(), unsigned_call)),
            ErrorJson("AuthFailure.InvalidAuthorization",
                      "The Authorization header is missing; sign the request with "
                      "TC3-HMAC-SHA256."));
  EXPECT_EQ(sim_->Stats()["tione"]["rejected"]["auth"], 5);
  // A rejected create creates nothing.
  EXPECT_EQ(TioneErrorOf(Tione("CreateNotebook", CreateParams("z"), wrong_key)), signature_failure);
  EXPECT_EQ(sim_->State()["tione"]["notebooks"].size(), 1u);
}

TEST_F(TioneTest, RejectsBadActionVersionAndRegion) {
  EXPECT_EQ(TioneErrorOf(Tione("DeleteEverything", json::object())),
            ErrorJson("InvalidAction", "The action `DeleteEverything` does not exist for tione."));
  TioneCall old_version;
  old_version.version = "2019-10-22";
  EXPECT_EQ(TioneErrorOf(Tione("DescribeNotebooks", json::object(), old_version)),
            ErrorJson("NoSuchVersion",
                      "The API version `2019-10-22` does not exist; tione uses `2021-11-11`."));
  TioneCall no_region;
  no_region.region = "";
  EXPECT_EQ(TioneErrorOf(Tione("DescribeNotebooks", json::object(), no_region)),
            ErrorJson("MissingParameter", "The request is missing a required parameter `Region`."));
  TioneCall mars;
  mars.region = "mars-1";
  EXPECT_EQ(TioneErrorOf(Tione("DescribeNotebooks", json::object(), mars)),
            ErrorJson("UnsupportedRegion", "The region `mars-1` is not supported."));
}

}  // namespace
}  // namespace converge::sim::testing

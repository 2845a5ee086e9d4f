#include "cloud/scnet/scnet_account.h"

#include "base/log.h"
#include "base/redact.h"
#include "cloud/http/json_fields.h"
#include "cloud/scnet/access_key.h"
#include "cloud/scnet/jwt.h"
#include "cloud/scnet/scnet_api.h"
#include "cloud/scnet/token_schedule.h"

namespace converge::cloud::scnet {
namespace {

using nlohmann::json;

double EpochSeconds(WallTime t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

// InterpretResponse, with the cloud's own msg as the message of a refusal (the
// generic "check the provider's SCNet token" hint does not fit the account host).
http::Interpretation InterpretAccount(const http::HttpResponse& response) {
  http::Interpretation out = InterpretResponse(response);
  if (!out.value && !out.value.error().code.empty()) {
    if (std::optional<json> body = http::ParseJson(response.body)) {
      const std::string msg = http::TextOr(*body, "msg");
      if (!msg.empty()) out.value.error().message = msg;
    }
  }
  return out;
}

bool Enabled(const json& entry) {
  const json* enable = http::Field(entry, "enable");
  if (enable == nullptr) return true;
  std::optional<std::string> text = http::ScalarText(enable);
  return text && (*text == "true" || *text == "1");
}

// The first enabled aiUrls[].url of a center answer (an object, or a list of them).
std::string FirstAiUrl(const json& data) {
  std::vector<const json*> centers;
  if (data.is_array()) {
    for (const json& c : data) centers.push_back(&c);
  } else {
    centers.push_back(&data);
  }
  for (const json* c : centers) {
    const json* urls = http::Field(*c, "aiUrls");
    if (urls == nullptr || !urls->is_array()) continue;
    for (const json& u : *urls) {
      std::string url = http::TextOr(u, "url");
      if (!url.empty() && Enabled(u)) return url;
    }
  }
  return "";
}

}  // namespace

ScnetAccount::ScnetAccount(AccountOptions options, ScnetAccessKeySecrets credentials,
                           std::unique_ptr<http::ApiCaller> caller, Random& random,
                           RequestObserver* observer)
    : options_(std::move(options)),
      credentials_(std::move(credentials)),
      caller_(std::move(caller)),
      clock_(caller_->clock()),
      observer_(observer),
      backoff_(options_.retry_base, options_.retry_max, random) {}

Error ScnetAccount::Failure(Error cause, const char* what) const {
  cause.provider = options_.provider;
  if (cause.operation.empty()) cause.operation = what;
  const std::string hint =
      cause.category == Error::Category::kAuth || IsCredentialRejection(cause)
          ? "; check spec.auth (user, accessKey, secretKey): the access key may be wrong, "
            "revoked or disabled"
          : "";
  cause.message = std::string("cannot ") + what + " for cluster \"" + options_.cluster +
                  "\" from " + options_.account_endpoint + ": " + cause.message + hint;
  cause.retryable = false;  // the account's backoff decides when to try again
  return cause;
}

Result<std::string> ScnetAccount::Obtain(const ScnetAccessKey& key) {
  Result<json> data = caller_->Call(
      kObtainToken, http::CallKind::kRead,
      [&] {
        const int64_t timestamp =
            std::chrono::duration_cast<std::chrono::seconds>(clock_.WallNow().time_since_epoch())
                .count();
        http::HttpRequest r;
        r.method = "POST";
        r.target = kTokensPath;
        r.headers = {
            {"user", key.user},
            {"accessKey", key.access_key},
            {"timestamp", std::to_string(timestamp)},
            {"signature", AccessKeySignature(key.user, key.access_key, key.secret_key, timestamp)}};
        return r;
      },
      InterpretAccount);
  if (!data) return std::unexpected(data.error());
  std::vector<std::string> known;
  if (data->is_array()) {
    for (const json& entry : *data) {
      const std::string name = http::TextOr(entry, "clusterName");
      const std::string id = http::TextOr(entry, "clusterId");
      if (name != options_.cluster && id != options_.cluster) {
        known.push_back(name + " (" + id + ")");
        continue;
      }
      if (id == "0" || id == "ac") {
        Error e;
        e.category = Error::Category::kInvalid;
        e.operation = kObtainToken;
        e.message = "the token of cluster \"" + options_.cluster + "\" (clusterId " + id +
                    ") cannot call container APIs; set spec.cluster to a computing region";
        return std::unexpected(std::move(e));
      }
      const std::string token = http::TextOr(entry, "token");
      if (token.empty()) {
        Error e;
        e.category = Error::Category::kAuth;
        e.operation = kObtainToken;
        e.message =
            "SCNet issued no token for this cluster (token: null: the account may be "
            "suspended or in arrears)";
        return std::unexpected(std::move(e));
      }
      return token;
    }
  }
  Error e;
  e.category = Error::Category::kInvalid;
  e.operation = kObtainToken;
  std::string list;
  for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
  e.message = "the account has no cluster named or numbered \"" + options_.cluster +
              "\"; set spec.cluster to one of: " + (list.empty() ? "(none listed)" : list);
  return std::unexpected(std::move(e));
}

Result<std::string> ScnetAccount::Renew(const std::string& token) {
  Result<json> data = caller_->Call(
      kRenewToken, http::CallKind::kRead,
      [&] {
        http::HttpRequest r;
        r.method = "POST";
        r.target = kRenewPath;
        r.headers = {{"token", token}};
        return r;
      },
      InterpretAccount);
  if (!data) return std::unexpected(data.error());
  std::optional<std::string> fresh = http::ScalarText(&*data);
  if (!fresh || fresh->empty()) {
    return std::unexpected(http::ProtocolError("SCNet tokens/next answered without a token"));
  }
  return *fresh;
}

void ScnetAccount::Store(std::string token, const char* result) {
  RegisterSecret(token);
  token_ = std::move(token);
  obtained_ = clock_.WallNow();
  expiry_ = TokenExpiry(token_);
  failure_.reset();
  backoff_.Reset();
  if (observer_ != nullptr) {
    observer_->OnCredentialsRefresh(options_.provider, result);
    if (expiry_) observer_->OnCredentialsExpiry(options_.provider, EpochSeconds(*expiry_));
  }
  log::Info("SCNet token refreshed", {{"provider", options_.provider}, {"result", result}});
}

Result<std::string> ScnetAccount::RefreshLocked(Mode mode) {
  const bool usable = !token_.empty() && expiry_ && clock_.WallNow() < *expiry_;
  if (failure_ && clock_.Now() < retry_at_) {
    if (usable) return token_;
    return std::unexpected(*failure_);
  }
  // Read now: a rotated key file is used by this refresh (base/secret.h). A key
  // other than the one the current token came from is used to obtain, not renew.
  const ScnetAccessKey key = credentials_.Current();
  for (const std::string* secret : {&key.access_key, &key.secret_key}) RegisterSecret(*secret);
  const std::string key_identity = key.user + '\n' + key.access_key + '\n' + key.secret_key;
  Result<std::string> fresh;
  const char* result = "obtained";
  const char* what = "obtain an SCNet token";
  if (mode == Mode::kDue && !token_.empty() && key_identity == token_key_ &&
      Due(obtained_, expiry_, clock_.WallNow()) == TokenAction::kRenew) {
    fresh = Renew(token_);
    result = "renewed";
    if (!fresh) {
      log::Warn("renewing the SCNet token failed; obtaining a new one",
                {{"provider", options_.provider}, {"error", fresh.error().ToString()}});
    }
  }
  if (!fresh || result != std::string("renewed")) {
    fresh = Obtain(key);
    result = "obtained";
  }
  if (fresh && result == std::string("obtained")) token_key_ = key_identity;
  if (fresh) {
    Store(std::move(*fresh), result);
    return token_;
  }
  failure_ = Failure(std::move(fresh.error()), what);
  const std::chrono::milliseconds wait = backoff_.Next();
  retry_at_ = clock_.Now() + wait;
  if (observer_ != nullptr) observer_->OnCredentialsRefresh(options_.provider, "failed");
  log::Warn("SCNet credentials refresh failed", {{"provider", options_.provider},
                                                 {"error", failure_->ToString()},
                                                 {"retry_in_ms", std::to_string(wait.count())}});
  if (usable && mode == Mode::kDue) return token_;
  return std::unexpected(*failure_);
}

Result<std::string> ScnetAccount::Current() {
  std::lock_guard lock(mu_);
  if (!token_.empty() && !failure_ &&
      Due(obtained_, expiry_, clock_.WallNow()) == TokenAction::kUse) {
    return token_;
  }
  return RefreshLocked(Mode::kDue);
}

Result<std::string> ScnetAccount::AfterRejection(const std::string& rejected, const Error&) {
  std::lock_guard lock(mu_);
  if (!token_.empty() && token_ != rejected) return token_;
  token_.clear();
  expiry_.reset();
  return RefreshLocked(Mode::kForceObtain);
}

Result<std::string> ScnetAccount::DiscoverEndpoint() {
  Result<std::string> token = Current();
  if (!token) return std::unexpected(token.error());
  auto center = [&](const std::string& with) {
    return caller_->Call(
        kDiscoverEndpoint, http::CallKind::kRead,
        [&] {
          http::HttpRequest r;
          r.method = "GET";
          r.target = kCenterPath;
          r.headers = {{"token", with}};
          return r;
        },
        InterpretAccount);
  };
  Result<json> data = center(*token);
  if (!data && IsCredentialRejection(data.error())) {
    Result<std::string> fresh = AfterRejection(*token, data.error());
    if (!fresh) return std::unexpected(fresh.error());
    data = center(*fresh);
  }
  if (!data) return std::unexpected(Failure(std::move(data.error()), "discover the AI endpoint"));
  std::string url = FirstAiUrl(*data);
  if (url.empty()) {
    Error e;
    e.category = Error::Category::kRejected;
    e.operation = kDiscoverEndpoint;
    e.message = "SCNet lists no enabled AI endpoint (aiUrls) for this cluster; set spec.endpoint";
    return std::unexpected(Failure(std::move(e), "discover the AI endpoint"));
  }
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (url.ends_with("/ai")) url.resize(url.size() - 3);
  return url;
}

}  // namespace converge::cloud::scnet

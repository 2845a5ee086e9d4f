#include "cloud/scnet/token_source.h"

#include "base/redact.h"
#include "cloud/scnet/jwt.h"

namespace converge::cloud::scnet {

bool IsCredentialRejection(const Error& e) { return e.code == "10008" || e.code == "10009"; }

StaticTokenSource::StaticTokenSource(std::string provider, Secret token, RequestObserver* observer)
    : provider_(std::move(provider)), token_(std::move(token)), observer_(observer) {}

Result<std::string> StaticTokenSource::Read() {
  Result<std::string> token = token_.Current();  // a changed file is re-read (and registered)
  RegisterSecret(*token);
  std::lock_guard lock(mu_);
  if (*token != reported_) {
    reported_ = *token;
    if (std::optional<WallTime> expiry = TokenExpiry(*token); expiry && observer_ != nullptr) {
      observer_->OnCredentialsExpiry(
          provider_, std::chrono::duration<double>(expiry->time_since_epoch()).count());
    }
  }
  return token;
}

Result<std::string> StaticTokenSource::Current() { return Read(); }

Result<std::string> StaticTokenSource::AfterRejection(const std::string& rejected,
                                                      const Error& why) {
  Result<std::string> token = Read();
  if (!token || *token == rejected) return std::unexpected(why);
  return token;
}

}  // namespace converge::cloud::scnet

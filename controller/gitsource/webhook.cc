#include "gitsource/webhook.h"

#include "base/hmac.h"

namespace converge::gitsource {

std::string GithubSignature(const std::string& secret, const std::string& body) {
  return "sha256=" + ToHex(HmacSha256(secret, body));
}

std::optional<std::string> WebhookRefusal(const std::string& secret,
                                          const std::string& github_signature,
                                          const std::string& gitlab_token,
                                          const std::string& body) {
  if (secret.empty()) return "no webhook secret is configured (--git-webhook-secret-file)";
  if (!github_signature.empty()) {
    if (ConstantTimeEqual(github_signature, GithubSignature(secret, body))) return std::nullopt;
    return "the X-Hub-Signature-256 signature does not match the body and the webhook secret";
  }
  if (!gitlab_token.empty()) {
    if (ConstantTimeEqual(gitlab_token, secret)) return std::nullopt;
    return "the X-Gitlab-Token does not match the webhook secret";
  }
  return "the request carries neither X-Hub-Signature-256 nor X-Gitlab-Token";
}

}  // namespace converge::gitsource

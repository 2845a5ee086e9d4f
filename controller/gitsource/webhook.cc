#include "gitsource/webhook.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace converge::gitsource {
namespace {

bool ConstantTimeEqual(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::string GithubSignature(const std::string& secret, const std::string& body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256=";
  for (unsigned i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
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

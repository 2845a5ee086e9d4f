// Push webhooks for the git source: POST /webhook/git is served when the request
// proves it knows the shared secret, by GitHub's convention (X-Hub-Signature-256:
// sha256=HEX, the HMAC-SHA256 of the body keyed by the secret) or GitLab's
// (X-Gitlab-Token: the secret itself). Comparisons are constant-time.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace converge::gitsource {

inline constexpr size_t kMaxWebhookBody = 1 << 20;  // 1 MiB

// nullopt when the request is authentic; otherwise why it is refused (never
// containing the secret or the signature).
std::optional<std::string> WebhookRefusal(const std::string& secret,
                                          const std::string& github_signature,
                                          const std::string& gitlab_token, const std::string& body);

// "sha256=" + lowercase hex HMAC-SHA256(secret, body): what GitHub sends.
std::string GithubSignature(const std::string& secret, const std::string& body);

}  // namespace converge::gitsource

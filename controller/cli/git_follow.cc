#include "cli/git_follow.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/log.h"
#include "base/redact.h"
#include "manifest/field.h"

namespace converge::cli {
namespace {

// A secret from a file (trailing newlines dropped); the error names the file,
// never its content.
Result<std::string> ReadSecretFile(const std::string& flag, const std::string& file) {
  std::ifstream in(file);
  if (!in) {
    return std::unexpected(Error::InvalidArgument("--" + flag + " " + file +
                                                  " cannot be read; check the path and mode"));
  }
  std::stringstream buf;
  buf << in.rdbuf();
  std::string value = buf.str();
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  if (value.empty()) {
    return std::unexpected(Error::InvalidArgument("--" + flag + " " + file + " is empty"));
  }
  RegisterSecret(value);
  return value;
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

double Now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

Result<std::unique_ptr<GitFollow>> GitFollow::Create(const Args& args,
                                                     std::vector<std::string>* paths) {
  if (!paths->empty()) {
    return std::unexpected(Error::InvalidArgument(
        "--git and PATH arguments exclude each other; use --path DIR for a directory inside "
        "the repository"));
  }
  gitsource::Options options;
  options.url = args.Get("git");
  options.branch = args.Get("branch", "main");
  options.path = args.Get("path");
  options.state_dir = args.Get("state-dir", ".converge-state");
  std::chrono::milliseconds interval = std::chrono::seconds(30);
  if (args.Has("git-interval")) {
    const auto d = manifest::ParseDuration(args.Get("git-interval"));
    if (!d || d->count() <= 0) {
      return std::unexpected(
          Error::InvalidArgument("--git-interval must be a positive duration like 30s, got \"" +
                                 args.Get("git-interval") + "\""));
    }
    interval = *d;
  }
  auto& creds = options.credentials;
  creds.username = args.Get("git-username", Env("CONVERGE_GIT_USERNAME"));
  if (args.Has("git-token-file")) {
    auto token = ReadSecretFile("git-token-file", args.Get("git-token-file"));
    if (!token) return std::unexpected(token.error());
    creds.password = *token;
  } else if (std::string token = Env("CONVERGE_GIT_TOKEN"); !token.empty()) {
    RegisterSecret(token);
    creds.password = token;
  }
  creds.ssh_key_file = args.Get("git-ssh-key");
  creds.known_hosts_file = args.Get("git-known-hosts");
  std::unique_ptr<GitFollow> follow(new GitFollow);
  if (args.Has("git-webhook-secret-file")) {
    auto secret = ReadSecretFile("git-webhook-secret-file", args.Get("git-webhook-secret-file"));
    if (!secret) return std::unexpected(secret.error());
    follow->webhook_secret_ = *secret;
  }
  auto source = gitsource::GitSource::Open(std::move(options));
  if (!source) return std::unexpected(source.error());
  GitFollow* self = follow.get();
  follow->follower_ = std::make_unique<gitsource::Follower>(
      std::move(*source), interval,
      gitsource::Follower::Hooks{
          .on_fetch =
              [self](const std::string& error) {
                if (!error.empty()) {
                  log::Error("git fetch failed; the last good revision keeps reconciling",
                             {{"error", error}});
                }
                std::lock_guard lock(self->mu_);
                if (self->metrics_) self->metrics_->OnGitFetch(error.empty(), Now());
              },
          .on_revision =
              [self](const gitsource::Revision& rev) {
                std::lock_guard lock(self->mu_);
                if (self->on_revision_) self->on_revision_(rev);
              }});
  auto first = follow->follower_->SyncNow();
  if (!first) {
    follow->startup_error_ = first.error().message;
    const auto state = follow->follower_->state();
    if (state.revision.empty()) return std::unexpected(first.error());
    log::Warn("git: starting from the checkout of an earlier run",
              {{"revision", state.revision.substr(0, 12)}});
  }
  const auto state = follow->follower_->state();
  std::filesystem::path dir = std::filesystem::path(args.Get("state-dir", ".converge-state")) /
                              "git" / "checkouts" / state.revision / state.path;
  *paths = {dir.lexically_normal().string()};
  log::Info(
      "git: following",
      {{"url", state.url}, {"branch", state.branch}, {"revision", state.revision.substr(0, 12)}});
  return follow;
}

void GitFollow::Attach(serve::Metrics* metrics) {
  metrics->EnableGit();
  std::lock_guard lock(mu_);
  metrics_ = metrics;
  metrics->OnGitFetch(startup_error_.empty(), Now());
}

void GitFollow::OnRevision(std::function<void(const gitsource::Revision&)> hook) {
  std::lock_guard lock(mu_);
  on_revision_ = std::move(hook);
}

void GitFollow::NameRevision(manifest::LoadResult* loaded, const std::vector<std::string>& paths) {
  if (paths.empty()) return;
  const std::string& dir = paths.front();
  const std::string marker = "/checkouts/";
  const auto at = dir.find(marker);
  if (at == std::string::npos) return;
  const std::string sha =
      dir.substr(at + marker.size(), dir.find('/', at + marker.size()) - (at + marker.size()));
  loaded->manifests.revision = sha;
}

void GitFollow::ServeWebhook(serve::Endpoints* endpoints) {
  if (webhook_secret_.empty()) return;
  endpoints->git_webhook_secret = webhook_secret_;
  endpoints->git_webhook = [this](bool accepted) {
    {
      std::lock_guard lock(mu_);
      if (metrics_) metrics_->OnGitWebhook(accepted);
    }
    if (accepted) {
      log::Info("git: push webhook received; fetching");
      follower_->Trigger();
    }
  };
}

nlohmann::json GitFollow::StatusJson() const {
  const auto s = follower_->state();
  nlohmann::json fetched = {{"type", "Fetched"},
                            {"status", s.last_error.empty() ? "True" : "False"},
                            {"reason", s.last_error.empty() ? "FetchSucceeded" : "FetchFailed"},
                            {"message", s.last_error}};
  return {{"url", s.url},
          {"branch", s.branch},
          {"path", s.path},
          {"revision", s.revision},
          {"lastSuccessTimestamp", s.last_success},
          {"conditions", nlohmann::json::array({fetched})}};
}

}  // namespace converge::cli

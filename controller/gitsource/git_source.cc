#include "gitsource/git_source.h"

#include <git2.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "base/redact.h"
#include "gitsource/libgit2.h"

namespace converge::gitsource {

namespace fs = std::filesystem;

void InitLibgit2Once() {
  static std::once_flag once;
  std::call_once(once, [] { git_libgit2_init(); });
}

std::string StripUserinfo(std::string_view url) {
  const auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  const auto host_start = scheme + 3;
  const auto slash = url.find('/', host_start);
  const auto at = url.rfind('@', slash == std::string_view::npos ? url.size() : slash);
  if (at == std::string_view::npos || at < host_start) return std::string(url);
  return std::string(url.substr(0, host_start)) + std::string(url.substr(at + 1));
}

namespace {

// libgit2's last error, with the URL's userinfo and any secret removed.
std::string LastError(const std::string& url) {
  const git_error* e = git_error_last();
  std::string text = e && e->message ? e->message : "unknown libgit2 error";
  // libgit2 may quote the URL it was given; show it without userinfo.
  if (const std::string bare = StripUserinfo(url); bare != url) {
    for (size_t pos; (pos = text.find(url)) != std::string::npos;)
      text.replace(pos, url.size(), bare);
  }
  return Redact(text);
}

struct FetchPayload {
  const Options* options;
  std::chrono::steady_clock::time_point deadline;
  const std::atomic<bool>* cancelled;
  int credential_calls = 0;
  bool timed_out = false;
  bool auth_refused = false;
  std::string cred_error;
};

int Credential(git_credential** out, const char* url, const char* username_from_url,
               unsigned int allowed, void* data) {
  auto* p = static_cast<FetchPayload*>(data);
  const Credentials& c = p->options->credentials;
  // libgit2 asks again when the server refuses: refuse a second time instead of
  // looping.
  if (++p->credential_calls > 1) {
    p->auth_refused = true;
    return GIT_EAUTH;
  }
  if ((allowed & GIT_CREDENTIAL_SSH_KEY) && !c.ssh_key_file.empty()) {
    const std::string user =
        !c.username.empty() ? c.username : (username_from_url ? username_from_url : "git");
    return git_credential_ssh_key_new(out, user.c_str(), nullptr, c.ssh_key_file.c_str(), nullptr);
  }
  if ((allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) && !c.password.empty()) {
    const std::string user = !c.username.empty() ? c.username : "x-access-token";
    return git_credential_userpass_plaintext_new(out, user.c_str(), c.password.c_str());
  }
  p->auth_refused = true;
  p->cred_error = "the server asks for credentials and none fit";
  return GIT_EAUTH;
}

int TransferProgress(const git_indexer_progress*, void* data) {
  auto* p = static_cast<FetchPayload*>(data);
  if (p->cancelled->load()) return -1;
  if (std::chrono::steady_clock::now() > p->deadline) {
    p->timed_out = true;
    return -1;
  }
  return 0;
}

int Sideband(const char*, int, void* data) { return TransferProgress(nullptr, data); }

// SSH: the server's host key must be listed in the known_hosts file (plain
// "host keytype base64" lines; hashed entries are not supported).
int CertificateCheck(git_cert* cert, int valid, const char* host, void* data) {
  auto* p = static_cast<FetchPayload*>(data);
  // TLS: libgit2's own verification decides.
  if (cert->cert_type != GIT_CERT_HOSTKEY_LIBSSH2) return GIT_PASSTHROUGH;
  const std::string& file = p->options->credentials.known_hosts_file;
  if (file.empty()) return GIT_ECERTIFICATE;
  auto* hk = reinterpret_cast<git_cert_hostkey*>(cert);
  if (!(hk->type & GIT_CERT_SSH_RAW)) return GIT_ECERTIFICATE;
  // base64 of the raw key
  static constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string b64;
  const auto* in = reinterpret_cast<const unsigned char*>(hk->hostkey);
  for (size_t i = 0; i < hk->hostkey_len; i += 3) {
    unsigned v = in[i] << 16;
    if (i + 1 < hk->hostkey_len) v |= in[i + 1] << 8;
    if (i + 2 < hk->hostkey_len) v |= in[i + 2];
    b64 += kB64[(v >> 18) & 63];
    b64 += kB64[(v >> 12) & 63];
    b64 += i + 1 < hk->hostkey_len ? kB64[(v >> 6) & 63] : '=';
    b64 += i + 2 < hk->hostkey_len ? kB64[v & 63] : '=';
  }
  std::ifstream in_file(file);
  std::string line;
  while (std::getline(in_file, line)) {
    std::istringstream fields(line);
    std::string hosts, type, key;
    if (!(fields >> hosts >> type >> key)) continue;
    std::istringstream names(hosts);
    for (std::string name; std::getline(names, name, ',');) {
      // "host" or "[host]:port"
      const bool bracketed =
          name.size() > 2 && name[0] == '[' && name.find("]:") != std::string::npos;
      const std::string bare = bracketed ? name.substr(1, name.find(']') - 1) : name;
      if (bare == host && key == b64) {
        return 0;
      }
    }
  }
  p->cred_error = std::string("the SSH host key of ") + host + " is not in " + file;
  return GIT_ECERTIFICATE;
}

}  // namespace

struct GitSource::Repo {
  RepoPtr repo;
};

GitSource::GitSource(Options options) : options_(std::move(options)), repo_(new Repo) {}
GitSource::~GitSource() = default;

Result<std::unique_ptr<GitSource>> GitSource::Open(Options options) {
  InitLibgit2Once();
  if (options.url.empty()) return std::unexpected(Error::InvalidArgument("--git URL is empty"));
  if (options.branch.empty()) options.branch = "main";
  if (!options.credentials.ssh_key_file.empty() && options.credentials.known_hosts_file.empty()) {
    return std::unexpected(Error::InvalidArgument(
        "an SSH key needs a known_hosts file (--git-known-hosts) to check the server's host key"));
  }
  if (!options.credentials.password.empty()) RegisterSecret(options.credentials.password);
  std::unique_ptr<GitSource> source(new GitSource(std::move(options)));
  const fs::path root = fs::path(source->options_.state_dir) / "git";
  std::error_code ec;
  fs::create_directories(root / "checkouts", ec);
  if (ec) {
    return std::unexpected(Error::IOError("cannot create " + (root / "checkouts").string() + ": " +
                                          ec.message() + " (check --state-dir)"));
  }
  const std::string repo_dir = (root / "repo.git").string();
  if (git_repository_open_bare(source->repo_->repo.out(), repo_dir.c_str()) != 0 &&
      git_repository_init(source->repo_->repo.out(), repo_dir.c_str(), /*is_bare=*/1) != 0) {
    return std::unexpected(Error::IOError("cannot create the git repository " + repo_dir + ": " +
                                          LastError(source->options_.url)));
  }
  // A checkout left by a previous run is current until the first fetch.
  const fs::path current = root / "current";
  if (fs::is_symlink(current, ec)) {
    const fs::path target = fs::read_symlink(current, ec);
    if (!ec && fs::is_directory(root / target, ec)) {
      source->current_ =
          Revision{target.filename().string(),
                   (root / target / source->options_.path).lexically_normal().string()};
    }
  }
  return source;
}

Status GitSource::Fetch() {
  const std::string shown = StripUserinfo(options_.url);
  RemotePtr remote;
  if (git_remote_create_anonymous(remote.out(), repo_->repo.get(), options_.url.c_str()) != 0) {
    return std::unexpected(Error::InvalidArgument("git repository URL " + shown +
                                                  " is not usable: " + LastError(options_.url)));
  }
  if (cancelled_) return std::unexpected(Error::Unavailable("git fetch cancelled: shutting down"));
  FetchPayload payload{&options_, std::chrono::steady_clock::now() + options_.timeout, &cancelled_};
  git_fetch_options fetch = GIT_FETCH_OPTIONS_INIT;
  fetch.callbacks.credentials = Credential;
  fetch.callbacks.transfer_progress = TransferProgress;
  fetch.callbacks.sideband_progress = Sideband;
  fetch.callbacks.certificate_check = CertificateCheck;
  fetch.callbacks.payload = &payload;
  fetch.prune = GIT_FETCH_PRUNE;
  fetch.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
  const std::string refspec =
      "+refs/heads/" + options_.branch + ":refs/remotes/origin/" + options_.branch;
  char* specs[] = {const_cast<char*>(refspec.c_str())};
  const git_strarray refspecs = {specs, 1};
  if (git_remote_fetch(remote.get(), &refspecs, &fetch, "converge fetch") != 0) {
    std::string why = LastError(options_.url);
    std::string hint = "check the URL, the network and the credentials";
    if (payload.timed_out) {
      why = "timed out after " + std::to_string(options_.timeout.count() / 1000) + " s";
      hint = "check the network";
    } else if (payload.auth_refused) {
      why = payload.cred_error.empty() ? "the server refused the credentials" : payload.cred_error;
      hint =
          "check the credentials (--git-token-file / --git-username / --git-password-file / "
          "--git-ssh-key)";
    } else if (!payload.cred_error.empty()) {
      why = payload.cred_error;
      hint = "add the server's key to the known_hosts file";
    }
    return std::unexpected(Error::Unavailable("fetching branch " + options_.branch + " of " +
                                              shown + " failed: " + Redact(why) + "; " + hint));
  }
  return {};
}

Status GitSource::Checkout(const std::string& sha, const void* tree_ptr) {
  const fs::path root = fs::path(options_.state_dir) / "git";
  const fs::path final_dir = root / "checkouts" / sha;
  std::error_code ec;
  if (!fs::is_directory(final_dir, ec)) {
    const fs::path tmp = root / "checkouts" / (".tmp-" + sha);
    fs::remove_all(tmp, ec);
    git_checkout_options co = GIT_CHECKOUT_OPTIONS_INIT;
    co.checkout_strategy = GIT_CHECKOUT_FORCE | GIT_CHECKOUT_DONT_UPDATE_INDEX;
    const std::string tmp_s = tmp.string();
    co.target_directory = tmp_s.c_str();
    if (git_checkout_tree(repo_->repo.get(), static_cast<const git_object*>(tree_ptr), &co) != 0) {
      return std::unexpected(Error::IOError("checking out commit " + sha + " into " + tmp_s +
                                            " failed: " + LastError(options_.url)));
    }
    fs::rename(tmp, final_dir, ec);
    if (ec) {
      return std::unexpected(Error::IOError("cannot rename " + tmp_s + " to " + final_dir.string() +
                                            ": " + ec.message()));
    }
  }
  // Swap `current` atomically: a new symlink renamed over the old one.
  const fs::path link_tmp = root / "current.tmp";
  fs::remove(link_tmp, ec);
  fs::create_directory_symlink(fs::path("checkouts") / sha, link_tmp, ec);
  if (!ec) fs::rename(link_tmp, root / "current", ec);
  if (ec) {
    return std::unexpected(Error::IOError("cannot point " + (root / "current").string() + " at " +
                                          final_dir.string() + ": " + ec.message()));
  }
  // Keep the previous checkout (a reader may still be in it); remove the rest.
  const std::string previous = current_ ? current_->sha : "";
  for (const auto& entry : fs::directory_iterator(root / "checkouts", ec)) {
    const std::string name = entry.path().filename().string();
    if (name != sha && name != previous) fs::remove_all(entry.path(), ec);
  }
  return {};
}

Result<Revision> GitSource::Sync() {
  if (Status fetched = Fetch(); !fetched) return std::unexpected(fetched.error());
  const std::string ref = "refs/remotes/origin/" + options_.branch;
  ObjectPtr commit_obj;
  if (git_revparse_single(commit_obj.out(), repo_->repo.get(), (ref + "^{commit}").c_str()) != 0) {
    return std::unexpected(Error::NotFound("branch " + options_.branch + " not found in " +
                                           StripUserinfo(options_.url) + "; check --branch"));
  }
  char sha[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(sha, sizeof sha, git_object_id(commit_obj.get()));
  if (current_ && current_->sha == sha) return *current_;
  ObjectPtr tree;
  if (git_object_peel(tree.out(), commit_obj.get(), GIT_OBJECT_TREE) != 0) {
    return std::unexpected(
        Error::Internal("commit " + std::string(sha) + " has no tree: " + LastError(options_.url)));
  }
  if (Status done = Checkout(sha, tree.get()); !done) return std::unexpected(done.error());
  const fs::path dir = fs::path(options_.state_dir) / "git" / "checkouts" / sha / options_.path;
  current_ = Revision{sha, dir.lexically_normal().string()};
  return *current_;
}

}  // namespace converge::gitsource

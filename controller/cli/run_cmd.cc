#include <signal.h>

#include <atomic>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <thread>

#include "base/log.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/embedded_sim.h"
#include "cli/git_follow.h"
#include "cli/manifest_watcher.h"
#include "cli/manifests.h"
#include "cli/providers.h"
#include "cli/prune_flags.h"
#include "manifest/field.h"
#include "serve/metrics.h"
#include "serve/server.h"

namespace converge::cli {
namespace {

constexpr char kRunUsage[] =
    R"(usage: converge run PATH... [flags]
       converge run --git URL [--branch main] [--path DIR] [flags]

Reconciles continuously: lists every provider, acts on what differs from the
manifests, and serves /metrics, /healthz, /readyz, /status and POST /reconcile
(`converge reconcile`). Exits 1 at once when a PATH holds no manifest. Manifest
files are watched (inotify; polling where the filesystem has none): a change is
applied within milliseconds; a revision that fails
validation is not applied (the last good one keeps running and the error is
reported). A provider whose secret cannot be read fails only its own resources;
a fromFile secret is read again when its file changes (no restart or SIGHUP).
SIGHUP reloads and resets every resource's backoff (a pass at once); SIGTERM/SIGINT
drain in-flight calls and exit within 10 s.
  --metrics-addr ADDR  listen address for /metrics etc. (default 127.0.0.1:9464)
  --allow-remote-reconcile
                       serve POST /reconcile to every peer, not only loopback ones
  --resync D           full resync period, jittered (default 30s)
  --poll D             re-observe period while a transition is under way (default 2s)
  --concurrency N      cloud calls in flight at once (default 8)
  --create-grace D     how long a create with a lost answer may take to show up in
                       a list before it is retried (default 10s)
  --state-dir DIR      create-intent journal and inventory (default ./.converge-state)
)" CONVERGE_PRUNE_USAGE
    R"(  --sim                run against the embedded simulator (no account needed)
  --sim-fixture FILE   initial simulator state (default: seeded from the manifests)
  --scnet-token-ttl D  lifetime of the SCNet tokens the simulator issues to access-key
                       providers (default 24h; with --sim)
  --log-level LEVEL    debug|info|warn|error (default info)
  --git URL            follow a git repository instead of PATHs: cloned into
                       STATE-DIR/git, fetched every --git-interval, on SIGHUP, on
                       `converge reconcile` and on POST /webhook/git; the branch
                       head's manifests are applied and its commit SHA is the revision
  --branch NAME        the branch to follow (default main)
  --path DIR           the manifest directory inside the repository (default: root)
  --git-interval D     fetch period (default 30s)
  --git-username NAME  HTTPS user name (default x-access-token) or SSH user
                       (env CONVERGE_GIT_USERNAME)
  --git-token-file F   HTTPS token or password, read from a file (env CONVERGE_GIT_TOKEN)
  --git-ssh-key F      SSH private key; needs --git-known-hosts F
  --git-webhook-secret-file F
                       serve POST /webhook/git to requests signed with this secret
                       (GitHub X-Hub-Signature-256 or GitLab X-Gitlab-Token)
)";

struct Signals {
  std::mutex mu;
  std::condition_variable cv;
  bool stop = false;
  bool reload = false;
  bool changed = false;                             // the watcher saw a manifest change
  std::optional<gitsource::Revision> git_revision;  // fetched, not yet applied
};

}  // namespace

int RunRun(int argc, char** argv) {
  int exit_code = 0;
  const auto args = ParseCommand({.name = "run",
                                  .usage = kRunUsage,
                                  .flags = {{"metrics-addr"},
                                            {"resync"},
                                            {"poll"},
                                            {"concurrency"},
                                            {"create-grace"},
                                            {"state-dir"},
                                            {"sim", false},
                                            {"sim-fixture"},
                                            {"scnet-token-ttl"},
                                            {"git"},
                                            {"branch"},
                                            {"path"},
                                            {"git-interval"},
                                            {"git-username"},
                                            {"git-token-file"},
                                            {"git-ssh-key"},
                                            {"git-known-hosts"},
                                            {"git-webhook-secret-file"},
                                            {"allow-remote-reconcile", false},
                                            {"prune", false},
                                            {"max-prune"}},
                                  .takes_paths = true,
                                  .paths_unless = "git",
                                  .has_log_level = true,
                                  .default_log_level = static_cast<int>(log::Level::kInfo)},
                                 argc, argv, &exit_code);
  if (!args) return exit_code;
  std::string error;
  const auto sim_options = ParseSimFlags(*args);
  if (!sim_options) {
    std::cerr << "converge run: " << sim_options.error().message << "\n";
    return 1;
  }
  reconcile::ControllerOptions options;
  for (const auto& [flag, field] : std::vector<std::pair<std::string, std::chrono::milliseconds*>>{
           {"resync", &options.resync},
           {"poll", &options.poll},
           {"create-grace", &options.create_grace}}) {
    if (!args->Has(flag)) continue;
    const auto d = manifest::ParseDuration(args->Get(flag));
    if (!d || d->count() <= 0) {
      std::cerr << "converge run: --" << flag << " must be a positive duration like 30s, got \""
                << args->Get(flag) << "\"\n";
      return 1;
    }
    *field = *d;
  }
  if (!ApplyPruneFlags(*args, "run", &options)) return 1;
  if (args->Has("concurrency")) {
    try {
      options.concurrency = std::stoi(args->Get("concurrency"));
    } catch (const std::exception&) {
      options.concurrency = 0;
    }
    if (options.concurrency < 1 || options.concurrency > 256) {
      std::cerr << "converge run: --concurrency must be 1..256\n";
      return 1;
    }
  }
  std::vector<std::string> paths = args->positional;
  // --git: the first fetch decides the paths (the checkout of the branch head).
  std::unique_ptr<GitFollow> git;
  if (args->Has("git")) {
    auto made = GitFollow::Create(*args, &paths);
    if (!made) {
      std::cerr << "converge run: " << made.error().message << "\n";
      return 1;
    }
    git = std::move(*made);
  }
  // A path that holds nothing is a mistake (a typo, an empty checkout), not a
  // revision to wait for: stop before serving.
  // The first load runs before anything else is held, on two threads: nothing
  // is reconciled until it is done. Reloads, beside the whole state, on one.
  manifest::LoadResult initial = manifest::LoadPaths(paths, manifest::LoadOptions{.threads = 2});
  if (initial.no_manifests) {
    PrintLoadErrors(initial, std::cerr);
    return 1;
  }

  // Signals are taken by one thread with sigwait; every other thread blocks them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto opened = reconcile::FileJournal::Open(args->Get("state-dir", ".converge-state"));
  if (!opened) {
    std::cerr << "converge run: " << opened.error().message << "\n";
    return 1;
  }
  std::unique_ptr<reconcile::FileJournal> journal = std::move(*opened);
  if (const auto pending = journal->Pending(); !pending.empty()) {
    log::Info(
        "found create intents whose outcome is unknown; each is resolved by listing by name "
        "before any create",
        {{"count", std::to_string(pending.size())}});
  }

  serve::Metrics metrics(CONVERGE_VERSION);
  if (git) git->Attach(&metrics);
  metrics.SetResyncInterval(std::chrono::duration<double>(options.resync).count());
  RealRandom random;
  reconcile::Controller controller(options, *journal, RealClock::Get(), random, &metrics);
  // The journal's lock on the state dir covers the inventory beside it.
  std::unique_ptr<reconcile::FileInventory> inventory =
      OpenInventory("run", args->Get("state-dir", ".converge-state"), false);
  if (!inventory) return 1;
  controller.SetInventory(inventory.get());

  std::unique_ptr<EmbeddedSim> sim;
  if (args->Has("sim")) sim = std::make_unique<EmbeddedSim>(*sim_options);
  ProviderFactory factory(WiringOptions{sim.get(), &metrics});

  // Loads the manifests and installs them when valid; otherwise reports and keeps
  // the last good revision.
  auto apply = [&](manifest::LoadResult loaded) {
    if (git) GitFollow::NameRevision(&loaded, paths);
    if (!loaded.ok()) {
      metrics.OnSpecLoadError();
      std::string first = loaded.errors.front().ToString();
      controller.SetSpecError(std::to_string(loaded.errors.size()) +
                              " validation error(s); first: " + first);
      for (const auto& d : loaded.errors) log::Error("manifest invalid", {{"error", d.ToString()}});
      log::Warn("new manifest revision rejected; the last good revision keeps reconciling");
      return;
    }
    Wiring wiring = factory.Build(loaded.manifests);
    for (const auto& problem : wiring.problems) {
      log::Error("provider unusable; its resources report this error, the others reconcile",
                 {{"error", problem.message}});
    }
    log::Info("applying manifest revision",
              {{"revision", loaded.manifests.revision},
               {"resources", std::to_string(loaded.manifests.resources.size())},
               {"providers", std::to_string(loaded.manifests.providers.size())}});
    controller.SetManifests(std::move(loaded.manifests), std::move(wiring.providers));
  };
  apply(std::move(initial));

  serve::Endpoints endpoints{
      [&] { return metrics.Serialize(); },
      [&] {
        nlohmann::json status = reconcile::ToJson(*controller.Published());
        if (git) status["git"] = git->StatusJson();
        return status;
      },
      [&]() -> Status {
        const auto published = controller.Published();
        const reconcile::StatusSnapshot& snap = *published;
        if (snap.revision.empty()) {
          return std::unexpected(
              Error::Unavailable("no valid manifest revision loaded yet: " + snap.spec_error));
        }
        for (const auto& p : snap.providers) {
          if (!p.listed) {
            return std::unexpected(Error::Unavailable("provider " + p.name + " not listed yet" +
                                                      (p.error.empty() ? "" : ": " + p.error)));
          }
        }
        return {};
      }};
  endpoints.reconcile = [&](const std::vector<std::string>& names) {
    if (git) git->follower().Trigger();
    return controller.ResetBackoff(names);
  };
  if (git) git->ServeWebhook(&endpoints);
  endpoints.allow_remote_reconcile = args->Has("allow-remote-reconcile");
  serve::Server server(args->Get("metrics-addr", "127.0.0.1:9464"), std::move(endpoints));
  if (Status started = server.Start(); !started) {
    std::cerr << "converge run: " << started.error().message << "\n";
    return 1;
  }
  log::Info("serving", {{"metrics", "http://" + server.address() + "/metrics"},
                        {"status", "converge status --addr " + server.address()}});

  Signals sig;
  std::thread signal_thread([&] {
    while (true) {
      int received = 0;
      if (sigwait(&signals, &received) != 0) continue;
      std::lock_guard lock(sig.mu);
      if (received == SIGHUP) {
        sig.reload = true;
      } else {
        log::Info("signal received; draining",
                  {{"signal", received == SIGINT ? "SIGINT" : "SIGTERM"}});
        sig.stop = true;
      }
      sig.cv.notify_all();
      if (sig.stop) return;
    }
  });

  if (git) {
    git->OnRevision([&](const gitsource::Revision& rev) {
      std::lock_guard lock(sig.mu);
      sig.git_revision = rev;
      sig.cv.notify_all();
    });
    git->follower().Start();
  }

  std::atomic<bool> controller_done{false};
  std::thread controller_thread([&] {
    controller.Run();
    controller_done = true;
    sig.cv.notify_all();
  });

  // Watch the manifests until told to stop: inotify, polling as the fallback. A git
  // source needs no watcher: each revision is a new, never-modified checkout that
  // the follower announces.
  std::optional<ManifestWatcher> watcher;
  if (!git) {
    watcher.emplace(paths, WatchOptions{}, [&] {
      std::lock_guard lock(sig.mu);
      sig.changed = true;
      sig.cv.notify_all();
    });
    watcher->Start();
  }
  {
    std::unique_lock lock(sig.mu);
    while (!sig.stop) {
      sig.cv.wait(lock, [&] { return sig.stop || sig.reload || sig.changed || sig.git_revision; });
      if (sig.stop) break;
      const bool forced = sig.reload;
      const bool changed = sig.changed;
      sig.reload = sig.changed = false;
      std::optional<gitsource::Revision> fetched = std::exchange(sig.git_revision, std::nullopt);
      lock.unlock();
      if (git && forced) git->follower().Trigger();
      if (fetched) {
        paths = {fetched->dir};
        log::Info("git: new revision fetched; loading", {{"revision", fetched->ShortSha()}});
        apply(manifest::LoadPaths(paths));
      } else if (forced || changed) {
        log::Info(forced ? "SIGHUP: reloading manifests" : "manifests changed; reloading");
        apply(manifest::LoadPaths(paths));
      }
      if (forced) controller.ResetBackoff({});
      lock.lock();
    }
  }
  if (watcher) watcher->Stop();

  // Drain: the pass in flight finishes its calls (each bounded by its timeout);
  // exit regardless after 8 s, leaving create intents for the next start.
  if (git) git->follower().Stop();
  controller.Stop();
  {
    std::unique_lock lock(sig.mu);
    sig.cv.wait_for(lock, std::chrono::seconds(8), [&] { return controller_done.load(); });
  }
  server.Stop();
  if (!controller_done) {
    log::Warn("calls still in flight after 8 s; exiting (their create intents are journaled)");
    std::cerr.flush();
    std::_Exit(0);
  }
  controller_thread.join();
  signal_thread.join();
  sim.reset();
  log::Info("stopped");
  return 0;
}

}  // namespace converge::cli

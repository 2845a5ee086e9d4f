// Watches the manifest paths of `converge run` and calls back when a manifest
// may have changed. inotify wakes it within milliseconds of a write, rename or
// delete in any watched directory (every directory under the paths except
// hidden ones such as .git); a change is confirmed by the manifests' signature
// (path, mtime, size of each manifest file the loader reads), so events that
// change no manifest cost no reload. Polling the signature is the fallback:
// every `poll` when inotify is unavailable or a path is on a network filesystem
// (NFS, SMB, FUSE, 9p, ...: changes made on another host raise no event), and
// every `safety_poll` beside inotify.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace converge::cli {

// A digest (16 hex digits) of (path, mtime, size) of every manifest file under
// `paths`, skipping hidden entries as the loader does: a change in any is a new
// revision to load.
std::string ManifestSignature(const std::vector<std::string>& paths);

struct WatchOptions {
  bool use_inotify = true;
  std::chrono::milliseconds poll{250};           // without inotify
  std::chrono::milliseconds safety_poll{60000};  // with inotify
  // Events arriving within this of each other are one change (an editor's
  // write-rename-chmod, a git checkout).
  std::chrono::milliseconds settle{5};
};

class ManifestWatcher {
 public:
  // `changed` runs on the watcher's thread with the new signature.
  ManifestWatcher(std::vector<std::string> paths, WatchOptions options,
                  std::function<void()> changed);
  ~ManifestWatcher();  // stops the thread
  ManifestWatcher(const ManifestWatcher&) = delete;
  ManifestWatcher& operator=(const ManifestWatcher&) = delete;

  // Starts watching from the manifests' current signature.
  void Start();
  void Stop();
  // Whether inotify is in use (false: polling).
  bool inotify() const { return inotify_fd_ >= 0; }
  // The directories inotify watches, sorted (for tests).
  std::vector<std::string> WatchedDirectories() const;

 private:
  void Loop();
  void AddWatches();  // (re)builds the watch set
  void CheckSignature();

  std::vector<std::string> paths_;
  WatchOptions options_;
  std::function<void()> changed_;
  std::string signature_;
  int inotify_fd_ = -1;
  int stop_fd_ = -1;  // eventfd
  mutable std::mutex mu_;
  std::vector<std::pair<int, std::string>> watches_;
  std::thread thread_;
};

}  // namespace converge::cli

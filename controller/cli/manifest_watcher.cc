#include "cli/manifest_watcher.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>

#include "base/log.h"
#include "manifest/loader.h"

namespace converge::cli {
namespace {

namespace fs = std::filesystem;

constexpr uint32_t kMask = IN_CLOSE_WRITE | IN_MODIFY | IN_ATTRIB | IN_CREATE | IN_DELETE |
                           IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF;

// Filesystems whose changes made elsewhere inotify does not report: polled.
bool OnNetworkFilesystem(const std::string& path) {
  struct statfs fs {};
  if (::statfs(path.c_str(), &fs) != 0) return false;
  switch (static_cast<uint32_t>(fs.f_type)) {
    case 0x6969:      // NFS
    case 0x517B:      // SMB
    case 0xFF534D42:  // CIFS
    case 0xFE534D42:  // SMB2
    case 0x65735546:  // FUSE (sshfs, s3fs, gcsfuse, ...)
    case 0x01021997:  // 9p
    case 0x00C36400:  // Ceph
    case 0x5346414F:  // AFS
    case 0x0BD00BD0:  // Lustre
      return true;
    default:
      return false;
  }
}

// FNV-1a, 64 bits.
uint64_t Fnv(uint64_t hash, const void* data, size_t size) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < size; ++i) hash = (hash ^ bytes[i]) * 1099511628211ull;
  return hash;
}
constexpr uint64_t kFnvBasis = 14695981039346656037ull;

// The files' digests summed and xored: the same set in any order gives the same
// digest, so the walk needs neither a sorted list of every path nor a path
// walk per file.
struct Digest {
  uint64_t sum = 0, xored = 0, count = 0;
  void Add(std::string_view path, const struct stat& st) {
    const int64_t fields[] = {st.st_mtim.tv_sec, st.st_mtim.tv_nsec, st.st_size};
    const uint64_t h = Fnv(Fnv(kFnvBasis, path.data(), path.size()), fields, sizeof fields);
    sum += h;
    xored ^= h * 0x9E3779B97F4A7C15ull;
    ++count;
  }
};

// The manifest files below the open directory `fd` (closed here), as the
// loader finds them: *.yaml and *.yml, hidden entries skipped, real
// directories descended (a symlink to a directory is not, as
// std::filesystem::recursive_directory_iterator does not follow it).
void Walk(int fd, std::string& path, Digest& digest) {
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    ::close(fd);
    return;
  }
  const size_t base = path.size();
  while (const dirent* e = ::readdir(dir)) {
    const std::string_view name = e->d_name;
    if (manifest::IsHiddenName(name)) continue;  // ., .., .git, editor backups
    bool directory = e->d_type == DT_DIR;
    if (e->d_type == DT_UNKNOWN) {
      struct stat st {};
      directory = ::fstatat(::dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                  S_ISDIR(st.st_mode);
    }
    path.resize(base);
    path.append("/").append(name);
    if (directory) {
      const int sub = ::openat(::dirfd(dir), e->d_name,
                               O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub >= 0) Walk(sub, path, digest);  // unreadable: skipped, as the loader does
      continue;
    }
    if (!manifest::IsManifestName(name)) continue;
    struct stat st {};
    if (::fstatat(::dirfd(dir), e->d_name, &st, 0) == 0) digest.Add(path, st);
  }
  path.resize(base);
  ::closedir(dir);
}

}  // namespace

std::string ManifestSignature(const std::vector<std::string>& paths) {
  // The safety poll beside inotify walks every manifest file once a minute: at
  // 10,000 files a stat by full path and a sorted list of paths cost 40 ms.
  Digest digest;
  for (const std::string& path : paths) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
      std::string walked = path;
      Walk(fd, walked, digest);
      continue;
    }
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) digest.Add(path, st);
  }
  const uint64_t fields[] = {digest.sum, digest.xored, digest.count};
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx",
                static_cast<unsigned long long>(Fnv(kFnvBasis, fields, sizeof fields)));
  return hex;
}

ManifestWatcher::ManifestWatcher(std::vector<std::string> paths, WatchOptions options,
                                 std::function<void()> changed)
    : paths_(std::move(paths)), options_(options), changed_(std::move(changed)) {}

ManifestWatcher::~ManifestWatcher() { Stop(); }

void ManifestWatcher::Start() {
  signature_ = ManifestSignature(paths_);
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  for (const auto& path : paths_) {
    if (options_.use_inotify && OnNetworkFilesystem(path)) {
      log::Info("manifests are on a network filesystem; polled instead of watched with inotify",
                {{"path", path}, {"every", std::to_string(options_.poll.count()) + "ms"}});
      options_.use_inotify = false;
    }
  }
  if (options_.use_inotify) {
    inotify_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (inotify_fd_ < 0) {
      log::Warn("inotify unavailable; manifests are polled",
                {{"error", std::error_code(errno, std::generic_category()).message()},
                 {"every", std::to_string(options_.poll.count()) + "ms"}});
    } else {
      AddWatches();
    }
  }
  thread_ = std::thread([this] { Loop(); });
}

void ManifestWatcher::Stop() {
  if (thread_.joinable()) {
    const uint64_t one = 1;
    (void)!::write(stop_fd_, &one, sizeof one);
    thread_.join();
  }
  if (inotify_fd_ >= 0) ::close(inotify_fd_);
  if (stop_fd_ >= 0) ::close(stop_fd_);
  inotify_fd_ = stop_fd_ = -1;
}

void ManifestWatcher::AddWatches() {
  std::lock_guard lock(mu_);
  for (const auto& [wd, dir] : watches_) ::inotify_rm_watch(inotify_fd_, wd);
  watches_.clear();
  auto watch = [&](const fs::path& dir) {
    const int wd = ::inotify_add_watch(inotify_fd_, dir.c_str(), kMask | IN_ONLYDIR);
    if (wd >= 0) {
      watches_.emplace_back(wd, dir.string());
    } else {
      log::Warn("cannot watch a manifest directory; its changes are seen by polling",
                {{"directory", dir.string()},
                 {"error", std::error_code(errno, std::generic_category()).message()},
                 {"every", std::to_string(options_.safety_poll.count()) + "ms"}});
    }
  };
  for (const auto& path : paths_) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
      // A file: its directory (an editor replaces the file by renaming).
      watch(fs::absolute(fs::path(path), ec).parent_path());
      continue;
    }
    watch(path);
    fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_directory(ec)) continue;
      if (manifest::IsHiddenName(it->path().filename().native())) {
        it.disable_recursion_pending();
        continue;
      }
      watch(it->path());
    }
  }
}

std::vector<std::string> ManifestWatcher::WatchedDirectories() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> dirs;
  for (const auto& [wd, dir] : watches_) dirs.push_back(dir);
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

void ManifestWatcher::CheckSignature() {
  std::string now = ManifestSignature(paths_);
  if (now == signature_) return;
  signature_ = std::move(now);
  changed_();
}

void ManifestWatcher::Loop() {
  const auto period = inotify_fd_ >= 0 ? options_.safety_poll : options_.poll;
  alignas(inotify_event) char buffer[16384];
  while (true) {
    pollfd fds[2] = {{stop_fd_, POLLIN, 0}, {inotify_fd_, POLLIN, 0}};
    const int ready = ::poll(fds, inotify_fd_ >= 0 ? 2 : 1, static_cast<int>(period.count()));
    if (ready < 0 && errno != EINTR) return;
    if (fds[0].revents & POLLIN) return;
    if (ready > 0 && (fds[1].revents & POLLIN)) {
      // Drain the burst: events closer together than `settle` are one change.
      bool rewatch = false;
      do {
        ssize_t n;
        while ((n = ::read(inotify_fd_, buffer, sizeof buffer)) > 0) {
          for (char* p = buffer; p < buffer + n;) {
            const auto* e = reinterpret_cast<const inotify_event*>(p);
            if (e->mask & (IN_ISDIR | IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) rewatch = true;
            p += sizeof(inotify_event) + e->len;
          }
        }
        pollfd again[2] = {{stop_fd_, POLLIN, 0}, {inotify_fd_, POLLIN, 0}};
        if (::poll(again, 2, static_cast<int>(options_.settle.count())) <= 0) break;
        if (again[0].revents & POLLIN) return;
      } while (true);
      if (rewatch) AddWatches();
    }
    CheckSignature();
  }
}

}  // namespace converge::cli

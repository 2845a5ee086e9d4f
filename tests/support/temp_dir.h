// A scratch directory for one test: unique (mkdtemp under the system temp
// directory, so parallel ctest processes and other checkouts never share it)
// and removed with everything in it on destruction.
#pragma once

#include <string>
#include <string_view>

namespace converge::test_support {

class TempDir {
 public:
  // Created as <temp>/<prefix>-XXXXXX; throws std::runtime_error when it cannot be.
  explicit TempDir(std::string_view prefix = "converge-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path()/relative; nothing is created.
  std::string Path(std::string_view relative) const;
  // Writes `content` to path()/relative (parent directories created) through a
  // rename, as editors and git do, so a watcher never reads half a file.
  // Returns the file's path.
  std::string Write(std::string_view relative, std::string_view content) const;
  // The content of path()/relative; empty when it cannot be read.
  std::string Read(std::string_view relative) const;

 private:
  std::string path_;
};

}  // namespace converge::test_support

// A fresh directory for one test, removed with it: tests that ctest runs in
// parallel never share a path.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

#include <gtest/gtest.h>

namespace converge::testing {

class ScratchDir {
 public:
  // path() is empty when the directory cannot be created.
  ScratchDir() {
    std::string pattern = ::testing::TempDir() + "/converge-test-XXXXXX";
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace converge::testing

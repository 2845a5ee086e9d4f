#include "support/temp_dir.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace converge::test_support {

namespace fs = std::filesystem;

TempDir::TempDir(std::string_view prefix) {
  std::string tmpl = (fs::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    throw std::runtime_error("cannot create a temporary directory " + tmpl + ": " +
                             std::strerror(errno) + "; check TMPDIR");
  }
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string TempDir::Path(std::string_view relative) const {
  return (fs::path(path_) / relative).string();
}

std::string TempDir::Write(std::string_view relative, std::string_view content) const {
  const fs::path p = fs::path(path_) / relative;
  fs::create_directories(p.parent_path());
  const fs::path tmp = p.string() + ".tmp~";
  {
    std::ofstream out(tmp, std::ios::binary);
    out << content;
  }
  fs::rename(tmp, p);
  return p.string();
}

std::string TempDir::Read(std::string_view relative) const {
  std::ifstream in(fs::path(path_) / relative, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace converge::test_support

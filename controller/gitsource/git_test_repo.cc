#include "gitsource/git_test_repo.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace converge::gitsource::testing {

std::string Sh(const std::string& command) {
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("popen failed: " + command);
  std::string out;
  std::array<char, 4096> buf;
  while (size_t n = fread(buf.data(), 1, buf.size(), pipe)) out.append(buf.data(), n);
  const int rc = ::pclose(pipe);
  if (rc != 0) throw std::runtime_error("command failed (" + std::to_string(rc) + "): " + command);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

TestRepo::TestRepo(const test_support::TempDir& dir)
    : bare_(dir.Path("origin.git")), work_(dir.Path("work")) {
  Sh("git init -q --bare -b main '" + bare_ + "' && git init -q -b main '" + work_ + "'");
  Git("remote add origin '" + bare_ + "'");
}

std::string TestRepo::Git(const std::string& args) const {
  return Sh("cd '" + work_ +
            "' && GIT_CONFIG_NOSYSTEM=1 git -c user.name=test -c user.email=test@example.com " +
            args + " 2>&1");
}

std::string TestRepo::Commit(const std::string& relative, const std::string& content) {
  const std::string path = work_ + "/" + relative;
  Sh("mkdir -p \"$(dirname '" + path + "')\"");
  std::ofstream(path) << content;
  Git("add -A && GIT_CONFIG_NOSYSTEM=1 git -c user.name=test -c user.email=test@example.com "
      "commit -q -m 'change " +
      relative + "' && git push -q origin main");
  return Git("rev-parse HEAD");
}

std::string TestRepo::ForcePushBack() {
  Git("reset -q --hard HEAD~1 && git push -q -f origin main");
  return Git("rev-parse HEAD");
}

namespace {

constexpr char kServer[] = R"PY(
import base64, http.server, os, socket, sys
root, user, password, port_file = sys.argv[1:5]
class H(http.server.CGIHTTPRequestHandler):
    cgi_directories = ['/git']
    have_fork = False  # run the .py script with the interpreter (no exec bit needed)
    def is_cgi(self):
        path = self.path.split('?', 1)
        rest = path[0][len('/git/'):] + ('?' + path[1] if len(path) > 1 else '')
        self.cgi_info = ('/git', 'git-http-backend.py/' + rest)
        return self.path.startswith('/git/')
    def authorized(self):
        if not user:
            return True
        want = 'Basic ' + base64.b64encode((user + ':' + password).encode()).decode()
        return self.headers.get('Authorization') == want
    def deny(self):
        self.send_response(401)
        self.send_header('WWW-Authenticate', 'Basic realm="git"')
        self.send_header('Content-Length', '0')
        self.end_headers()
    def do_GET(self):
        if not self.authorized(): return self.deny()
        super().do_GET()
    def do_POST(self):
        if not self.authorized(): return self.deny()
        super().do_POST()
    def translate_path(self, path):
        return os.path.join(os.path.dirname(os.path.abspath(port_file)), 'cgi' + path[len('/git'):]) if path.startswith('/git') else super().translate_path(path)
    def log_message(self, *a): pass
os.environ['GIT_PROJECT_ROOT'] = root
os.environ['GIT_HTTP_EXPORT_ALL'] = '1'
s = http.server.HTTPServer(('127.0.0.1', 0), H)
with open(port_file + '.tmp', 'w') as f: f.write(str(s.server_address[1]))
os.rename(port_file + '.tmp', port_file)
s.serve_forever()
)PY";

}  // namespace

HttpGitServer::HttpGitServer(const test_support::TempDir& dir, const std::string& root,
                             const std::string& user, const std::string& password) {
  const std::string script = dir.Write("http/server.py", kServer);
  // A .py CGI script runs under the server's interpreter: no exec bit needed
  // (the temp directory may be mounted noexec).
  dir.Write("http/cgi/git-http-backend.py",
            "import os\nos.execvp('git', ['git', 'http-backend'])\n");
  const std::string port_file = dir.Path("http/port");
  pid_ = ::fork();
  if (pid_ == 0) {
    ::execl("/usr/bin/python3", "python3", script.c_str(), root.c_str(), user.c_str(),
            password.c_str(), port_file.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  for (int i = 0; i < 200 && port_ == 0; ++i) {
    std::ifstream in(port_file);
    if (!(in >> port_)) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  if (port_ == 0) throw std::runtime_error("the git HTTP server did not start");
}

HttpGitServer::~HttpGitServer() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

std::string HttpGitServer::Url(const std::string& repo_name) const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/git/" + repo_name;
}

}  // namespace converge::gitsource::testing

// The HTTP transport's cost per request (Google Benchmark): N GETs of a list page
// (about the size of an SCNet page of 50 instances) from a keep-alive HTTP server
// in a child process on loopback, so that the process CPU time measured is the
// client's alone (a transport may work on threads of its own). Run with
//   build/bench/converge_transport_bench
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <string>
#include <vector>

#include "cloud/http/socket_transport.h"
#include "support/loopback_socket.h"

namespace converge {
namespace {

std::string ListPage() {
  std::string items;
  for (int i = 0; i < 50; ++i) {
    if (i > 0) items += ',';
    items += R"({"id":"id-)" + std::to_string(i) + R"(","instanceServiceName":"bench-)" +
             std::to_string(i) +
             R"(","status":"Running","description":"managed-by=converge","cpuNumber":3,)"
             R"("ramSize":15360,"gpuNumber":1,"taskType":"jupyter","resourceGroup":"TeslaM40"})";
  }
  return R"({"code":"0","msg":"success","data":{"total":10000,"list":[)" + items + "]}}";
}

// Serves every connection on `listener`, answering each request head with `answer`.
[[noreturn]] void Serve(int listener, const std::string& answer) {
  std::vector<pollfd> fds{{listener, POLLIN, 0}};
  std::map<int, std::string> pending;
  while (true) {
    if (::poll(fds.data(), fds.size(), -1) < 0) continue;
    for (size_t i = fds.size(); i-- > 0;) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == listener) {
        const int client = ::accept(listener, nullptr, nullptr);
        if (client >= 0) fds.push_back({client, POLLIN, 0});
        continue;
      }
      char buffer[16384];
      const ssize_t n = ::recv(fds[i].fd, buffer, sizeof buffer, 0);
      if (n <= 0) {
        ::close(fds[i].fd);
        pending.erase(fds[i].fd);
        fds.erase(fds.begin() + static_cast<std::ptrdiff_t>(i));
        continue;
      }
      std::string& in = pending[fds[i].fd];
      in.append(buffer, static_cast<size_t>(n));
      for (size_t end; (end = in.find("\r\n\r\n")) != std::string::npos;) {
        in.erase(0, end + 4);
        ::send(fds[i].fd, answer.data(), answer.size(), MSG_NOSIGNAL);
      }
    }
  }
}

// The server in a child process, killed when the benchmark ends.
class ChildServer {
 public:
  ChildServer() {
    const std::string body = ListPage();
    const std::string answer =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body;
    const int listener = test_support::ListenOnLoopback(64, &port_);
    pid_ = ::fork();
    if (pid_ == 0) Serve(listener, answer);
    ::close(listener);
  }
  ~ChildServer() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  int port_ = 0;
  pid_t pid_ = -1;
};

// One list-page GET per iteration on the production transport; argument 1 sends
// each on a fresh connection (as mutating calls are).
void BM_TransportGet(benchmark::State& state) {
  ChildServer server;
  auto transport = cloud::http::MakeHttpTransport({.endpoint = server.endpoint()});
  if (!transport) {
    state.SkipWithError(transport.error().message.c_str());
    return;
  }
  cloud::http::HttpRequest request;
  request.target = "/api/instance-service/page?start=0&size=50";
  request.headers = {{"token", "bench-token"}};
  request.fresh_connection = state.range(0) == 1;
  for (auto _ : state) {
    auto answer = (*transport)->Send(request);
    if (!answer || answer->status != 200) {
      state.SkipWithError(answer ? "status not 200" : answer.error().message.c_str());
      return;
    }
  }
}
BENCHMARK(BM_TransportGet)->Arg(0)->Arg(1)->MeasureProcessCPUTime()->UseRealTime();

}  // namespace
}  // namespace converge

BENCHMARK_MAIN();

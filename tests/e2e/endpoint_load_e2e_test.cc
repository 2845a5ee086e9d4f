// Issue 15 item 4: load on the controller's own endpoints. A real `converge run`
// holding 300 resources in sync against a real `converge sim`, resync 1 s; 10 s
// idle, then 10 s with 50 clients scraping /metrics and /status in a loop without
// think time (half over keep-alive connections as Prometheus does, half with a
// connection per request). Every request must get a complete 200 answer, the
// reconciles in the loaded window must stay within 10 % of the idle window, and
// the controller's memory must stay bounded. Counts only; the latencies (the mean
// reconcile and pass durations, printed) are recorded in bench/RESULTS.md.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "e2e/harness.h"

namespace converge::e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kResources = 300;
constexpr int kClients = 50;

// One loopback HTTP/1.1 connection; every read and write bounded by 10 s.
class Connection {
 public:
  explicit Connection(int port) : port_(port) {}
  ~Connection() { Close(); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // GET `path`; the body when the answer is a complete 200 (status line, headers,
  // exactly Content-Length bytes), otherwise an error saying what went wrong.
  std::string Get(const std::string& path, bool keep_alive, std::string* error) {
    if (fd_ < 0 && !Connect(error)) return "";
    const std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: " +
                                (keep_alive ? "keep-alive" : "close") + "\r\n\r\n";
    if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(request.size())) {
      return Fail("send failed", error);
    }
    std::string in;
    size_t header_end;
    while ((header_end = in.find("\r\n\r\n")) == std::string::npos) {
      if (!Read(&in)) return Fail("connection closed before the headers ended", error);
    }
    const std::string head = in.substr(0, header_end);
    if (head.rfind("HTTP/1.1 200", 0) != 0) {
      return Fail("answer " + head.substr(0, head.find('\r')), error);
    }
    std::string lower = head;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const size_t cl = lower.find("\r\ncontent-length:");
    if (cl == std::string::npos) return Fail("no Content-Length", error);
    const size_t length = std::stoul(head.substr(cl + 17));
    std::string body = in.substr(header_end + 4);
    while (body.size() < length) {
      if (!Read(&body)) return Fail("body cut short", error);
    }
    if (body.size() != length) return Fail("more bytes than Content-Length", error);
    if (!keep_alive || lower.find("connection: close") != std::string::npos) Close();
    return body;
  }

 private:
  bool Connect(std::string* error) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval timeout{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      Fail("connect failed", error);
      return false;
    }
    return true;
  }
  bool Read(std::string* into) {
    char buf[65536];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    into->append(buf, static_cast<size_t>(n));
    return true;
  }
  std::string Fail(const std::string& what, std::string* error) {
    *error = what;
    Close();
    return "";
  }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int port_;
  int fd_ = -1;
};

// The sum of a metric's samples over every label set.
double Sum(const std::string& metrics, const std::string& name) {
  double n = 0;
  std::istringstream in(metrics);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(name + "{", 0) == 0 || line.rfind(name + " ", 0) == 0) {
      n += std::stod(line.substr(line.rfind(' ') + 1));
    }
  }
  return n;
}

// converge_reconcile_total over every kind and result.
int64_t Reconciles(const std::string& metrics) {
  return static_cast<int64_t>(Sum(metrics, "converge_reconcile_total"));
}

// Seconds spent reconciling so far (the histogram's sum), for the figures printed.
double ReconcileSeconds(const std::string& metrics) {
  return Sum(metrics, "converge_reconcile_duration_seconds_sum");
}

// The mean of a histogram's observations between two scrapes, in ms (0 without
// one): converge_pass_duration_seconds is how long a sweep takes from its start
// until every resource in it was looked at; converge_api_request_duration_seconds
// in steady state is the sweeps' list calls.
double MeanMs(const std::string& from, const std::string& to, const std::string& histogram) {
  const double n = Sum(to, histogram + "_count") - Sum(from, histogram + "_count");
  const double s = Sum(to, histogram + "_sum") - Sum(from, histogram + "_sum");
  return n > 0 ? s * 1e3 / n : 0;
}
double MeanPassMs(const std::string& from, const std::string& to) {
  return MeanMs(from, to, "converge_pass_duration_seconds");
}
double MeanCallMs(const std::string& from, const std::string& to) {
  return MeanMs(from, to, "converge_api_request_duration_seconds");
}

// A field of /proc/PID/status in KiB (VmRSS, VmHWM).
int64_t ProcKiB(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(field + ":", 0) == 0) return std::stoll(line.substr(field.size() + 1));
  }
  return -1;
}

struct Tally {
  std::atomic<int64_t> sent{0};
  std::atomic<int64_t> answered{0};
  std::mutex mu;
  std::map<std::string, int64_t> failures;  // what went wrong → how often
};

// One scraping client: /metrics and /status in turn, no think time, until `stop`.
// The client threads run under SCHED_IDLE (nice 19 where that is refused): they
// stand in for scrapers on other machines, so the CPU they take for themselves
// (receiving and checking 315 KiB answers) goes to the controller first; at nice
// 19, 50 of them weigh as much as one thread at nice 0. The controller's own
// serving work still competes with its reconciling on the same 2 CPUs.
void Scrape(int port, bool keep_alive, const std::atomic<bool>& stop, Tally& tally) {
  const sched_param idle{};
  if (::sched_setscheduler(0, SCHED_IDLE, &idle) != 0) {
    ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 19);
  }
  Connection connection(port);
  for (int i = 0; !stop.load(); ++i) {
    const bool metrics = i % 2 == 0;
    std::string error;
    tally.sent++;
    const std::string body = connection.Get(metrics ? "/metrics" : "/status", keep_alive, &error);
    if (error.empty()) {
      // Cheap completeness checks (parsing every answer would take the CPU the
      // controller needs): the last family of /metrics, the end of the JSON.
      const bool whole =
          metrics ? body.find("\nconverge_build_info{") != std::string::npos && body.ends_with("\n")
                  : body.starts_with("{") && body.ends_with("}\n");
      if (!whole) error = std::string(metrics ? "/metrics" : "/status") + " answer incomplete";
    }
    if (error.empty()) {
      tally.answered++;
    } else {
      std::lock_guard lock(tally.mu);
      tally.failures[error]++;
    }
  }
}

// Waits until a sweep's burst of reconciles has ended (no new reconcile for
// `quiet`), so that a window opened then holds whole resync periods.
int64_t AfterBurst(const RunProcess& run, milliseconds quiet) {
  int64_t last = Reconciles(run.Metrics());
  auto changed = std::chrono::steady_clock::now();
  bool seen = false;
  WaitFor(
      [&] {
        const int64_t now = Reconciles(run.Metrics());
        if (now != last) {
          last = now;
          changed = std::chrono::steady_clock::now();
          seen = true;
        }
        return seen && std::chrono::steady_clock::now() - changed >= quiet;
      },
      seconds(10), milliseconds(20));
  return last;
}

TEST(EndpointLoadTest, FiftyScrapersForTenSecondsGetEveryAnswerAndLeaveReconcilingAlone) {
  TempDir dir("converge-load");
  SimProcess sim(dir);
  std::string resources;
  for (int i = 0; i < kResources; ++i) resources += InstanceYaml("load-" + std::to_string(i));
  dir.Write("m/providers.yaml", ProvidersYaml(sim.url(), 1000, 1000));
  dir.Write("m/resources.yaml", resources);
  RunProcess run(dir, {"--resync", "1s", "--concurrency", "16", "--log-level", "warn"});
  ASSERT_TRUE(WaitFor([&] { return run.ReadyCount() == kResources; }, seconds(90))) << run.Log();
  const int port = std::stoi(run.addr().substr(run.addr().rfind(':') + 1));
  const pid_t pid = run.process().pid();

  // Phase A, idle: the window opens in the middle of a resync period (the sweep's
  // reconciles take well under half of it) and holds exactly 10 periods.
  AfterBurst(run, milliseconds(300));
  const std::string m0 = run.Metrics();
  std::this_thread::sleep_for(seconds(10));
  const std::string m1 = run.Metrics();
  const int64_t a0 = Reconciles(m0), a1 = Reconciles(m1);
  const int64_t rss_idle = ProcKiB(pid, "VmRSS");

  // Phase B, the same window length under 50 clients.
  Tally tally;
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back(Scrape, port, i % 2 == 0, std::cref(stop), std::ref(tally));
  }
  // Memory is sampled half-way and at the end: the buffers of 50 connections in
  // flight are paid for once, in the first half; a leak per request would keep
  // growing through the second half, which serves as many requests again.
  std::this_thread::sleep_for(seconds(5));
  const int64_t rss_mid = ProcKiB(pid, "VmRSS");
  std::this_thread::sleep_for(seconds(5));
  const std::string m2 = run.Metrics();
  const int64_t b1 = Reconciles(m2);
  const int64_t rss_end = ProcKiB(pid, "VmRSS");
  stop = true;
  for (auto& c : clients) c.join();
  const int64_t rss_loaded = ProcKiB(pid, "VmRSS");
  const int64_t hwm = ProcKiB(pid, "VmHWM");

  const int64_t idle = a1 - a0, loaded = b1 - a1;
  std::string failures;
  for (const auto& [what, n] : tally.failures) failures += what + " ×" + std::to_string(n) + "; ";
  // The figures for bench/RESULTS.md; only the counts below are asserted.
  const auto mean_ms = [](double s0, double s1, int64_t n) { return n ? (s1 - s0) * 1e3 / n : 0; };
  std::cout << "idle reconciles " << idle << " (mean "
            << mean_ms(ReconcileSeconds(m0), ReconcileSeconds(m1), idle) << " ms), loaded "
            << loaded << " (mean " << mean_ms(ReconcileSeconds(m1), ReconcileSeconds(m2), loaded)
            << " ms); mean pass " << MeanPassMs(m0, m1) << " ms idle, " << MeanPassMs(m1, m2)
            << " ms loaded; mean list call " << MeanCallMs(m0, m1) << " ms idle, "
            << MeanCallMs(m1, m2) << " ms loaded; requests sent " << tally.sent << ", answered "
            << tally.answered << "; RSS idle " << rss_idle / 1024 << " MiB, half-way "
            << rss_mid / 1024 << " MiB, end of load " << rss_end / 1024 << " MiB, after "
            << rss_loaded / 1024 << " MiB, peak " << hwm / 1024 << " MiB\n";

  EXPECT_EQ(tally.answered.load(), tally.sent.load()) << failures;
  EXPECT_EQ(failures, "");
  EXPECT_GE(tally.sent.load(), 10 * kClients) << "the clients hardly ran; nothing was tested";
  // 10 whole resync periods of 300 reconciles each in the idle window.
  EXPECT_GE(idle, 9 * kResources);
  EXPECT_LE(idle, 11 * kResources);
  EXPECT_GE(loaded * 10, idle * 9) << "idle " << idle << ", loaded " << loaded;
  EXPECT_LE(loaded * 10, idle * 11) << "idle " << idle << ", loaded " << loaded;
  // Bounded memory: 50 connections and their answers in flight, not a leak per request.
  EXPECT_LT(hwm - rss_idle, 64 * 1024) << "RSS idle " << rss_idle << " KiB, peak " << hwm;
  // Not a leak per request: the second half of the load adds less than 8 MiB.
  EXPECT_LT(rss_end - rss_mid, 8 * 1024)
      << "RSS half-way " << rss_mid << " KiB, end of load " << rss_end;

  // The controller still answers a whole /status, and still holds every resource.
  const auto status = run.Status();
  ASSERT_TRUE(status.is_object());
  EXPECT_EQ(status["resources"].size(), static_cast<size_t>(kResources));
  EXPECT_EQ(run.ReadyCount(), static_cast<size_t>(kResources));
}

}  // namespace
}  // namespace converge::e2e

#include "e2e/harness.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "base/net.h"
#include "sim/simulator.h"

namespace converge::e2e {

namespace fs = std::filesystem;

std::string ConvergeBinary() { return CONVERGE_BINARY; }

namespace {

// A loopback port for a child process to listen on, bindable right now and below
// the kernel's ephemeral range (net.ipv4.ip_local_port_range), so no outgoing
// connection of the tests running in parallel takes it as its local port before
// the child binds it, as one did with a port net::FreePort had drawn from that range
// ("bind: Address already in use"). Random, so parallel tests rarely try the same.
int ChildPort() {
  int ephemeral_low = 32768;
  std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> ephemeral_low;
  static std::mt19937 random{std::random_device{}()};
  const int low = 10000, high = std::max(low + 1000, ephemeral_low);
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int port = std::uniform_int_distribution<int>(low, high - 1)(random);
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    const bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    if (free) return port;
  }
  return net::FreePort("127.0.0.1");
}

}  // namespace

RunProcess::RunProcess(const TempDir& dir, std::vector<std::string> extra,
                       std::map<std::string, std::string> env) {
  addr_ = "127.0.0.1:" + std::to_string(ChildPort());
  std::vector<std::string> argv = {ConvergeBinary(),
                                   "run",
                                   dir.path() + "/m",
                                   "--metrics-addr",
                                   addr_,
                                   "--state-dir",
                                   dir.path() + "/state",
                                   "--poll",
                                   "300ms",
                                   "--resync",
                                   "60s",
                                   "--create-grace",
                                   "2s"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  process_ = std::make_unique<Process>(argv, dir.path() + "/run.log", std::move(env));
}

nlohmann::json RunProcess::Status() const { return Get("http://" + addr_, "/status").Json(); }
std::string RunProcess::StatusText() const { return Get("http://" + addr_, "/status").body; }
std::string RunProcess::Metrics() const { return Get("http://" + addr_, "/metrics").body; }

size_t RunProcess::ReadyCount() const {
  const auto s = Status();
  if (!s.is_object() || !s.contains("resources")) return 0;
  size_t n = 0;
  for (const auto& r : s["resources"]) {
    bool ok = true;
    for (const auto& c : r["conditions"]) ok = ok && c["status"] == "True";
    n += ok ? 1 : 0;
  }
  return n;
}

bool RunProcess::AllReady(size_t expected) const {
  const auto s = Status();
  return s.is_object() && s["resources"].size() == expected && ReadyCount() == expected;
}

Process::Process(std::vector<std::string> argv, std::string log_file,
                 std::map<std::string, std::string> env)
    : log_file_(std::move(log_file)) {
  pid_ = ::fork();
  if (pid_ == 0) {
    const int fd = ::open(log_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      ::close(fd);
    }
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
}

Process::~Process() {
  if (Running()) {
    Signal(SIGKILL);
    Wait(std::chrono::seconds(5));
  }
}

bool Process::Running() { return !Wait(std::chrono::milliseconds(0)).has_value(); }

void Process::Signal(int sig) {
  if (pid_ > 0 && !exit_code_) ::kill(pid_, sig);
}

std::optional<int> Process::Wait(std::chrono::milliseconds timeout) {
  if (exit_code_) return exit_code_;
  WaitFor(
      [&] {
        int status = 0;
        const pid_t r = ::waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
          exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        } else if (r < 0) {
          exit_code_ = -1;
        }
        return exit_code_.has_value();
      },
      timeout, std::chrono::milliseconds(20));
  return exit_code_;
}

std::string Process::Log() const {
  std::ifstream in(log_file_);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

SimProcess::SimProcess(const TempDir& dir, std::vector<std::string> extra_args,
                       const std::string& fixture_json) {
  const int port = ChildPort();
  url_ = "http://127.0.0.1:" + std::to_string(port);
  std::vector<std::string> argv = {
      ConvergeBinary(), "sim", "--addr", "127.0.0.1:" + std::to_string(port), "--delays", "fast"};
  if (!fixture_json.empty()) {
    argv.push_back("--fixture");
    argv.push_back(dir.Write("sim-fixture.json", fixture_json));
  }
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<Process>(argv, dir.path() + "/sim.log");
  WaitFor([&] { return Get(url_, "/_sim/stats").status == 200; }, std::chrono::seconds(10));
}

nlohmann::json SimProcess::Stats() const { return Get(url_, "/_sim/stats").Json(); }
nlohmann::json SimProcess::State() const { return Get(url_, "/_sim/state").Json(); }
void SimProcess::ResetStats() const { Post(url_, "/_sim/reset", nlohmann::json::object()); }
void SimProcess::Force(const nlohmann::json& request) const { Post(url_, "/_sim/state", request); }

int SimProcess::CountInstances(const std::string& name) const {
  const auto state = State();
  int n = 0;
  for (const auto& i : state["scnet"]["instances"]) n += i.value("instanceServiceName", "") == name;
  for (const auto& i : state["tione"]["notebooks"]) n += i.value("Name", "") == name;
  return n;
}

int64_t SimProcess::Calls(const std::string& cloud, const std::string& operation) const {
  const auto stats = Stats();
  if (!stats.contains(cloud) || !stats[cloud]["calls"].contains(operation)) return 0;
  return stats[cloud]["calls"][operation].get<int64_t>();
}

std::map<std::string, std::string> SimEnv() {
  return {{"E2E_SCNET_TOKEN", sim::kTestScnetToken},
          {"E2E_SECRET_ID", sim::kTestSecretId},
          {"E2E_SECRET_KEY", sim::kTestSecretKey}};
}

std::string ScnetInstanceYaml(const std::string& name, const std::string& spec_extra) {
  return "---\napiVersion: converge.dev/v1alpha1\nkind: ContainerInstance\nmetadata: {name: " +
         name +
         "}\nspec:\n  provider: scnet\n  taskType: jupyter\n"
         "  image: {name: \"jupyter:4.4-py3.7-cpu\", path: "
         "\"10.0.35.26:5000/gpu/admin/base/jupyter:4.4-py3.7-cpu\"}\n"
         "  resourceGroup: TeslaM40\n  accelerator: {type: gpu, count: 1}\n  cpu: 3\n"
         "  memoryMB: 15360\n" +
         spec_extra;
}

std::string InstanceYaml(const std::string& name, const std::string& restart_policy) {
  return ScnetInstanceYaml(name, "  restartPolicy: " + restart_policy + "\n");
}

std::string TiOneYaml(const std::string& name, const std::string& state,
                      const std::string& spec_extra) {
  return "---\napiVersion: converge.dev/v1alpha1\nkind: TiOneNotebook\nmetadata: {name: " + name +
         "}\nspec:\n  provider: tione\n  state: " + state +
         "\n  chargeType: POSTPAID_BY_HOUR\n"
         "  resources: {instanceType: TI.S.MEDIUM.POST, cpu: 2000, memory: 4000, gpu: 0}\n"
         "  image: {type: SYSTEM, url: \"tione.tencentcloudcr.com/qcloud-ti-platform/x:1\"}\n"
         "  volumeSizeInGB: 10\n" +
         spec_extra;
}

std::string ProvidersYaml(const std::string& sim_url, double qps, int burst) {
  std::ostringstream y;
  y << "apiVersion: converge.dev/v1alpha1\nkind: Provider\nmetadata: {name: scnet}\nspec:\n"
    << "  type: scnet\n  endpoint: " << sim_url << "\n  token: {fromEnv: E2E_SCNET_TOKEN}\n"
    << "  rateLimit: {qps: " << qps << ", burst: " << burst << "}\n"
    << "---\napiVersion: converge.dev/v1alpha1\nkind: Provider\nmetadata: {name: tione}\nspec:\n"
    << "  type: tione\n  endpoint: " << sim_url << "\n  region: ap-shanghai\n"
    << "  secretId: {fromEnv: E2E_SECRET_ID}\n  secretKey: {fromEnv: E2E_SECRET_KEY}\n"
    << "  rateLimit: {qps: 15, burst: 15}\n";
  return y.str();
}

}  // namespace converge::e2e

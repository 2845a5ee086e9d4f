// `converge sim` as a process: prints where it serves, answers, stops on SIGTERM.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/http.h"
#include "support/poll.h"

namespace {

struct Child {
  pid_t pid = -1;
  FILE* out = nullptr;
};

Child Spawn(std::vector<std::string> args) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  Child c;
  c.pid = fork();
  if (c.pid == 0) {
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    close(fds[0]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(CONVERGE_BINARY, argv.data());
    _exit(127);
  }
  close(fds[1]);
  c.out = fdopen(fds[0], "r");
  return c;
}

// Waits up to `limit` for the child to exit; returns its exit code or -1.
int WaitExit(pid_t pid, std::chrono::milliseconds limit) {
  int status = 0;
  const bool exited = converge::test_support::WaitFor(
      [&] { return waitpid(pid, &status, WNOHANG) == pid; }, limit, std::chrono::milliseconds(20));
  if (exited) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return -1;
}

TEST(SimCliTest, ServesUntilSigterm) {
  Child c = Spawn({"converge", "sim", "--addr", "127.0.0.1:0", "--delays", "fast", "--fixture",
                   std::string(CONVERGE_SOURCE_DIR) + "/tests/fixtures/sim/demo.json", "--fault",
                   "ListContainerInstances:error"});
  char line[512];
  ASSERT_NE(fgets(line, sizeof line, c.out), nullptr);
  const std::string first = line;
  const std::string prefix = "converge sim: serving SCNet and TI-ONE at ";
  ASSERT_EQ(first.rfind(prefix, 0), 0u) << first;
  const std::string url = first.substr(prefix.size(), first.size() - prefix.size() - 1);
  std::string rest;
  for (int i = 0; i < 7 && fgets(line, sizeof line, c.out); ++i) rest += line;
  // Every test credential it accepts, the SecretKey included (they are not secrets).
  EXPECT_EQ(
      rest,
      "  SCNet token header:  sim-scnet-token\n"
      "  SCNet access key:    user simuser, accessKey sim-access-key, secretKey "
      "sim-secret-key\n"
      "  SCNet second key:    accessKey sim-access-key-2, secretKey sim-secret-key-2 (to test "
      "rotation)\n"
      "  SCNet cluster:       sim-kunshan (clusterId 11112), accountEndpoint and aiUrls " +
          url +
          "\n"
          "  TI-ONE SecretId:     AKIDsimulatorTESTSECRETID0000000\n"
          "  TI-ONE SecretKey:    simulatorTESTSECRETKEY0000000000\n"
          "  TI-ONE region:       ap-shanghai\n");

  namespace test_support = converge::test_support;
  nlohmann::json body = test_support::Send(url, {.path = "/ai/openapi/v2/notebook/list",
                                                 .headers = {{"token", "sim-scnet-token"}}})
                            .Json();
  EXPECT_EQ(body["data"]["total"], 3);
  body = test_support::Send(url, {.path = "/ai/openapi/v2/instance-service/task?limit=10&sort=desc",
                                  .headers = {{"token", "sim-scnet-token"}}})
             .Json();
  EXPECT_EQ(body["code"], "10001");  // the --fault rule

  kill(c.pid, SIGTERM);
  EXPECT_EQ(WaitExit(c.pid, std::chrono::milliseconds(3000)), 0);
  fclose(c.out);
}

TEST(SimCliTest, RejectsBadFlags) {
  Child c = Spawn({"converge", "sim", "--fault", "Nope"});
  std::string out;
  char line[512];
  while (fgets(line, sizeof line, c.out)) out += line;
  EXPECT_EQ(WaitExit(c.pid, std::chrono::milliseconds(3000)), 1);
  EXPECT_EQ(out.rfind("converge sim: --fault: bad fault spec \"Nope\"", 0), 0u) << out;
  fclose(c.out);
}

TEST(SimCliTest, RejectsATokenTtlThatIsNotAPositiveDuration) {
  Child c = Spawn({"converge", "sim", "--scnet-token-ttl", "0s"});
  std::string out;
  char line[512];
  while (fgets(line, sizeof line, c.out)) out += line;
  EXPECT_EQ(WaitExit(c.pid, std::chrono::milliseconds(3000)), 1);
  EXPECT_EQ(out,
            "converge sim: --scnet-token-ttl must be a positive duration like 4s or 24h, got "
            "\"0s\"\n");
  fclose(c.out);
}

}  // namespace

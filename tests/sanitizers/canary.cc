// The sanitizer canary: one deliberate bug per mode, so that the
// sanitizer_canary_* tests (CMakeLists.txt) prove `make test-sanitize` turns a
// report into a failure. Built only with -DCONVERGE_SANITIZE=address|thread.
//   canary heap-use-after-free | signed-overflow | leak   (address build)
//   canary data-race                                     (thread build)
#include <cstdio>
#include <cstring>
#include <limits>
#include <thread>

namespace {

// Reads through `p` after freeing it.
int HeapUseAfterFree() {
  int* p = new int[4]{1, 2, 3, 4};
  delete[] p;
  volatile int* dangling = p;
  return dangling[1];
}

// INT_MAX + 1: undefined behaviour that -fsanitize=undefined reports.
int SignedOverflow(int argc) {
  volatile int big = std::numeric_limits<int>::max();
  return big + argc;
}

// A heap block no pointer refers to at exit.
int Leak() {
  volatile char* block = new char[64];
  block[0] = 1;
  block = nullptr;
  return 0;
}

// Two threads write the same int without synchronisation.
int DataRace() {
  static int counter = 0;
  std::thread other([] { counter = counter + 1; });
  counter = counter + 1;
  other.join();
  return counter == 0;
}

}  // namespace

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "";
  if (std::strcmp(mode, "heap-use-after-free") == 0) return HeapUseAfterFree() == 2 ? 0 : 0;
  if (std::strcmp(mode, "signed-overflow") == 0) return SignedOverflow(argc - 1) == 0 ? 0 : 0;
  if (std::strcmp(mode, "leak") == 0) return Leak();
  if (std::strcmp(mode, "data-race") == 0) return DataRace();
  std::fprintf(stderr, "usage: canary heap-use-after-free|signed-overflow|leak|data-race\n");
  return 2;
}

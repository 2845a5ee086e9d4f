// FUZZ_CHECK: a property every input must keep. A violation prints what broke
// and aborts, which libFuzzer reports as a crash (and the replay test as a
// failure); it is not compiled out by NDEBUG, unlike assert.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond, what)                                                                 \
  do {                                                                                         \
    if (!(cond)) {                                                                             \
      std::fprintf(stderr, "%s:%d: fuzz property broken: %s (%s)\n", __FILE__, __LINE__, what, \
                   #cond);                                                                     \
      std::abort();                                                                            \
    }                                                                                          \
  } while (0)

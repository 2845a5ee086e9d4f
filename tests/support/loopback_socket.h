// A raw TCP listener on 127.0.0.1 for tests that play a misbehaving server
// (huge, malformed or TLS answers) below what an HTTP library would allow.
#pragma once

namespace converge::test_support {

// A socket listening on 127.0.0.1 on a port the kernel picks, with `backlog`.
// Returns its fd and sets *port; throws std::runtime_error (a failed test) when it
// cannot.
int ListenOnLoopback(int backlog, int* port);

}  // namespace converge::test_support

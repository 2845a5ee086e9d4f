// Small network helpers shared by every listener (metrics server, simulator).
#pragma once

#include <sys/socket.h>

#include <functional>
#include <optional>
#include <string>

#include "base/result.h"

namespace converge::net {

struct HostPort {
  std::string host;  // "localhost" becomes "127.0.0.1"; IPv6 without brackets
  int port = 0;
};

// Splits "host:port" ("[::1]:port" for IPv6; brackets are removed).
// kInvalidArgument when malformed or the port is outside 0..65535.
Result<HostPort> SplitHostPort(const std::string& address);

// The socket address of the IP literal `host` (IPv4, or IPv6 without brackets) and
// `port`, for bind(); nullopt when `host` is no IP address.
struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
  sockaddr* get() { return reinterpret_cast<sockaddr*>(&storage); }
};
std::optional<SocketAddress> ToSocketAddress(const std::string& host, int port);

// A port the kernel reports free on `host` right now (bind to port 0, read it
// back, close). Listeners asked for port 0 use this (BindListener) and retry on a
// lost race. 0 on failure.
int FreePort(const std::string& host);

// True when `ip` (a peer address as a listener reports it: "127.0.0.1", "::1",
// "::ffff:127.0.0.1", optionally bracketed) is a loopback address: 127.0.0.0/8 or
// ::1. False for anything else, including what does not parse.
bool IsLoopback(const std::string& ip);

// "host:port", with the host in brackets when it is IPv6 ("[::1]:port").
std::string JoinHostPort(const std::string& host, int port);

// Opens a listener on host:port through `open`, which is given the URL to listen
// on ("http://" + JoinHostPort(host, p)) and returns the reason when it cannot
// listen there. Port 0 takes a FreePort and retries (up to 20 ports) when another
// process took it first. Returns the port listened on; otherwise kInvalidArgument
// when `host` is no local IP address, or kUnavailable (retryable) with the last
// reason `open` gave.
Result<int> BindListener(const std::string& host, int port,
                         const std::function<Status(const std::string& url)>& open);

}  // namespace converge::net

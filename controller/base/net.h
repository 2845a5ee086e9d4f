// Small network helpers shared by every listener (metrics server, simulator).
#pragma once

#include <functional>
#include <string>

namespace converge::net {

// Splits "host:port" ("[::1]:port" for IPv6; brackets are removed). False when
// malformed or the port is outside 0..65535.
bool SplitHostPort(const std::string& address, std::string* host, int* port);

// A port the kernel reports free on `host` right now (bind to port 0, read it
// back, close). cpprestsdk's listener cannot report an ephemeral port, so
// listeners asked for port 0 use this and retry on a lost race. 0 on failure.
int FreePort(const std::string& host);

// True when `ip` (a peer address as a listener reports it: "127.0.0.1", "::1",
// "::ffff:127.0.0.1", optionally bracketed) is a loopback address: 127.0.0.0/8 or
// ::1. False for anything else, including what does not parse.
bool IsLoopback(const std::string& ip);

// "host:port", with the host in brackets when it is IPv6 ("[::1]:port").
std::string JoinHostPort(const std::string& host, int port);

// Opens a listener on host:port through `open`, which is given the URL to listen
// on ("http://" + JoinHostPort(host, p)) and returns false with the reason when
// it cannot listen there. Port 0 takes a FreePort and retries (up to 20 ports)
// when another process took it first. On success `bound_port` is the port
// listened on. False with `error` = the last reason otherwise.
bool BindListener(const std::string& host, int port,
                  const std::function<bool(const std::string& url, std::string* why)>& open,
                  int* bound_port, std::string* error);

}  // namespace converge::net

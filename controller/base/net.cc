#include "base/net.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <exception>

namespace converge::net {

Result<HostPort> SplitHostPort(const std::string& address) {
  const auto malformed = [&] {
    return std::unexpected(Error::InvalidArgument(
        "\"" + address + "\" is not HOST:PORT with a port 0..65535 (e.g. 127.0.0.1:8089)"));
  };
  const auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) return malformed();
  std::string h = address.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  const std::string digits = address.substr(colon + 1);
  if (digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string::npos) {
    return malformed();
  }
  const int p = std::stoi(digits);
  if (p > 65535) return malformed();
  return HostPort{h == "localhost" ? "127.0.0.1" : h, p};
}

std::optional<SocketAddress> ToSocketAddress(const std::string& host, int port) {
  SocketAddress a;
  if (host.find(':') != std::string::npos) {
    auto& in6 = reinterpret_cast<sockaddr_in6&>(a.storage);
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(static_cast<uint16_t>(port));
    if (::inet_pton(AF_INET6, host.c_str(), &in6.sin6_addr) != 1) return std::nullopt;
    a.length = sizeof in6;
  } else {
    auto& in4 = reinterpret_cast<sockaddr_in&>(a.storage);
    in4.sin_family = AF_INET;
    in4.sin_port = htons(static_cast<uint16_t>(port));
    if (::inet_pton(AF_INET, host.c_str(), &in4.sin_addr) != 1) return std::nullopt;
    a.length = sizeof in4;
  }
  return a;
}

int FreePort(const std::string& host) {
  std::optional<SocketAddress> a = ToSocketAddress(host, 0);
  if (!a) return 0;
  const int fd = ::socket(a->storage.ss_family, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  int port = 0;
  socklen_t len = a->length;
  if (::bind(fd, a->get(), a->length) == 0 && ::getsockname(fd, a->get(), &len) == 0) {
    port = a->storage.ss_family == AF_INET6
               ? ntohs(reinterpret_cast<const sockaddr_in6&>(a->storage).sin6_port)
               : ntohs(reinterpret_cast<const sockaddr_in&>(a->storage).sin_port);
  }
  ::close(fd);
  return port;
}

bool IsLoopback(const std::string& ip) {
  std::string h = ip;
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  in_addr v4{};
  if (::inet_pton(AF_INET, h.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (::inet_pton(AF_INET6, h.c_str(), &v6) != 1) return false;
  if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
  // An IPv4 client of a dual-stack socket: ::ffff:127.x.y.z.
  return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
}

std::string JoinHostPort(const std::string& host, int port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<int> BindListener(const std::string& host, int port,
                         const std::function<Status(const std::string& url)>& open) {
  constexpr int kFreePortAttempts = 20;
  std::string why;
  for (int attempt = 0; attempt < (port == 0 ? kFreePortAttempts : 1); ++attempt) {
    const int p = port == 0 ? FreePort(host) : port;
    if (p == 0) {
      return std::unexpected(
          Error::InvalidArgument("\"" + host + "\" is not a local IP address such as 127.0.0.1"));
    }
    try {
      Status opened = open("http://" + JoinHostPort(host, p));
      if (opened) return p;
      why = std::move(opened.error().message);
    } catch (const std::exception& e) {
      why = e.what();
    }
  }
  return std::unexpected(Error::Unavailable(why));
}

}  // namespace converge::net

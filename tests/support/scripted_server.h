// A raw HTTP server on loopback for the transport's tests: connections are
// accepted and each runs a script written against bare sockets, so that a test can
// play any server behaviour (close before answering, never answer, malformed or
// endless answers) and count the connections the client opened.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/net.h"

namespace converge::test_support {

// One accepted connection as the scripted server sees it.
class Peer {
 public:
  explicit Peer(int fd) : fd_(fd) {}
  // The next request's head (its body, per Content-Length, is read and dropped),
  // or nullopt when the client closed the connection.
  std::optional<std::string> NextRequest() {
    while (buffer_.find("\r\n\r\n") == std::string::npos) {
      if (!Receive()) return std::nullopt;
    }
    const size_t end = buffer_.find("\r\n\r\n") + 4;
    std::string head = buffer_.substr(0, end);
    size_t length = 0;
    if (const size_t at = head.find("Content-Length: "); at != std::string::npos) {
      length = std::stoul(head.substr(at + 16));
    }
    while (buffer_.size() < end + length) {
      if (!Receive()) return std::nullopt;
    }
    body_ = buffer_.substr(end, length);
    buffer_.erase(0, end + length);
    return head;
  }
  const std::string& body() const { return body_; }
  bool Send(const std::string& data) {
    return ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size());
  }
  // Waits until the client closes the connection (or the socket's timeout).
  void AwaitClose() {
    while (Receive()) buffer_.clear();
  }

 private:
  bool Receive() {
    char chunk[4096];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }
  int fd_;
  std::string buffer_;
  std::string body_;
};

// A raw HTTP server on 127.0.0.1 (or ::1): each accepted connection runs `script`
// with its index (0, 1, ...) on a thread of its own, then is closed. Every socket
// wait is bounded (10 s), so a wrong client cannot hang the test.
class ScriptedServer {
 public:
  using Script = std::function<void(Peer& peer, int index)>;
  explicit ScriptedServer(Script script, bool ipv6 = false) : script_(std::move(script)) {
    const std::string ip = ipv6 ? "::1" : "127.0.0.1";
    std::optional<net::SocketAddress> address = net::ToSocketAddress(ip, 0);
    fd_ = ::socket(address->storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    socklen_t len = address->length;
    if (fd_ < 0 || ::bind(fd_, address->get(), address->length) != 0 ||
        ::getsockname(fd_, address->get(), &len) != 0 || ::listen(fd_, 8) != 0) {
      return;  // listening() is false
    }
    port_ = ntohs(ipv6 ? reinterpret_cast<const sockaddr_in6&>(address->storage).sin6_port
                       : reinterpret_cast<const sockaddr_in&>(address->storage).sin_port);
    where_ = net::JoinHostPort(ip, port_);
    acceptor_ = std::thread([this] { Accept(); });
  }
  ~ScriptedServer() {
    if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
    if (acceptor_.joinable()) acceptor_.join();
    {
      std::lock_guard lock(mu_);
      for (int client : clients_) ::shutdown(client, SHUT_RDWR);
    }
    for (std::thread& t : connections_) t.join();
    if (fd_ >= 0) ::close(fd_);
  }
  bool listening() const { return port_ != 0; }
  std::string where() const { return where_; }
  std::string endpoint() const { return "http://" + where(); }
  int accepted() const { return accepted_.load(); }

 private:
  void Accept() {
    while (true) {
      const int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) return;
      timeval bound{10, 0};
      ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound);
      ::setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &bound, sizeof bound);
      const int index = accepted_++;
      std::lock_guard lock(mu_);
      clients_.push_back(client);
      connections_.emplace_back([this, client, index] {
        Peer peer(client);
        script_(peer, index);
        ::shutdown(client, SHUT_RDWR);
      });
    }
  }

  Script script_;
  int fd_ = -1;
  int port_ = 0;
  std::string where_;  // host:port, IPv6 in brackets
  std::atomic<int> accepted_ = 0;
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<int> clients_;  // closed by the destructor, once every thread is done
  std::vector<std::thread> connections_;
};

}  // namespace converge::test_support

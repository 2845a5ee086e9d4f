#include "serve/http_listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>

#include "base/log.h"
#include "base/net.h"

namespace converge::serve {
namespace {

// Linux schedules threads, and nice applies to the thread it names: raising it
// needs no privilege. Failing leaves the thread at the priority it inherited.
void EnterServingThread(const std::string& name, int nice) {
  ::pthread_setname_np(::pthread_self(), name.substr(0, 15).c_str());
  ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), nice);
}

// The peer's IP address in the text form net::IsLoopback reads.
std::string PeerAddress(const sockaddr_storage& addr) {
  char text[INET6_ADDRSTRLEN] = "";
  if (addr.ss_family == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(addr).sin_addr, text, sizeof text);
  } else if (addr.ss_family == AF_INET6) {
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(addr).sin6_addr, text,
                sizeof text);
  }
  return text;
}

}  // namespace

HttpListener::HttpListener(HttpLimits limits, HttpHandler handler, HttpListenerOptions options)
    : limits_(limits),
      handler_(std::move(handler)),
      options_(std::move(options)),
      send_gate_(limits.concurrent_sends) {}

HttpListener::~HttpListener() { Stop(); }

Status HttpListener::Listen(const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  auto hp = net::SplitHostPort(url.starts_with(kScheme) ? url.substr(kScheme.size()) : url);
  if (!hp) return std::unexpected(hp.error());
  std::optional<net::SocketAddress> addr = net::ToSocketAddress(hp->host, hp->port);
  if (!addr) {
    return std::unexpected(
        Error::InvalidArgument("\"" + hp->host + "\" is not an IP address such as 127.0.0.1"));
  }
  const int fd = ::socket(addr->storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::unexpected(Error::Unavailable(std::string("socket: ") + strerror(errno)));
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, addr->get(), addr->length) != 0 || ::listen(fd, 128) != 0) {
    const std::string why = strerror(errno);
    ::close(fd);
    return std::unexpected(Error::Unavailable(why));
  }
  listen_fd_ = fd;
  nice_ = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid())) + options_.nice_increment;
  acceptor_ = std::thread([this] { AcceptLoop(); });
  return {};
}

void HttpListener::AcceptLoop() {
  EnterServingThread(options_.thread_prefix + "-accept", nice_);
  while (true) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    const int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_CLOEXEC);
    Reap();
    std::unique_lock lock(mu_);
    if (stopping_) {
      if (fd >= 0) ::close(fd);
      return;
    }
    if (fd < 0) {
      lock.unlock();
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        log::Warn(options_.name + " cannot accept a connection", {{"error", strerror(errno)}});
        std::this_thread::sleep_for(std::chrono::milliseconds(100));  // until descriptors free
      }
      continue;  // EINTR, ECONNABORTED, ...
    }
    if (open_ >= limits_.max_connections) {
      lock.unlock();
      Refuse(fd);
      continue;
    }
    const uint64_t id = next_id_++;
    try {
      connections_[id] = {fd, std::thread([this, id, fd, peer = PeerAddress(addr)]() mutable {
                            Serve(id, fd, std::move(peer));
                          })};
      ++open_;
    } catch (const std::exception& e) {  // no thread to be had
      connections_.erase(id);
      ::close(fd);
      log::Warn(options_.name + " cannot serve a connection", {{"error", e.what()}});
    }
  }
}

void HttpListener::Serve(uint64_t id, int fd, std::string peer) {
  EnterServingThread(options_.thread_prefix + "-conn", nice_);
  try {
    ServeConnection(fd, peer, limits_, handler_, send_gate_);
  } catch (const std::exception& e) {
    log::Warn("serving a connection failed", {{"error", e.what()}});
  }
  std::lock_guard lock(mu_);
  ::close(fd);
  connections_[id].fd = -1;
  ended_.push_back(id);
  --open_;
}

void HttpListener::Refuse(int fd) {
  WriteResponse(
      fd,
      HttpResponse::Text(503, "too many connections (the limit is " +
                                  std::to_string(limits_.max_connections) + "); try again later\n"),
      false, std::chrono::milliseconds(1000));
  ::shutdown(fd, SHUT_WR);
  char discard[4096];  // what the client sent already: closing over it would reset
  while (::recv(fd, discard, sizeof discard, MSG_DONTWAIT) > 0) {
  }
  ::close(fd);
}

void HttpListener::Reap() {
  std::vector<std::thread> ended;
  {
    std::lock_guard lock(mu_);
    for (const uint64_t id : ended_) {
      ended.push_back(std::move(connections_[id].thread));
      connections_.erase(id);
    }
    ended_.clear();
  }
  for (auto& t : ended) t.join();
}

void HttpListener::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || listen_fd_ < 0) return;
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);  // wakes accept()
    for (auto& [id, c] : connections_) {
      if (c.fd >= 0) ::shutdown(c.fd, SHUT_RDWR);  // wakes a read; a write fails
    }
  }
  acceptor_.join();
  ::close(listen_fd_);
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    for (auto& [id, c] : connections_) threads.push_back(std::move(c.thread));
  }
  for (auto& t : threads) t.join();
  std::lock_guard lock(mu_);
  connections_.clear();
  ended_.clear();
}

}  // namespace converge::serve

// Accepts HTTP connections on one address and serves each on a thread of its own
// (serve/http_connection.h), up to HttpLimits::max_connections at a time (more
// get 503 and are closed). By default every thread of it runs at nice
// +Coalesced::kRenderNice over the thread that started it: the controller's
// endpoints give way to reconciling and to the cloud calls.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/result.h"
#include "serve/coalesced.h"
#include "serve/http_connection.h"

namespace converge::serve {

// Who a listener is, in its threads' names and its log lines, and how its
// threads run. The defaults are the controller's endpoints.
struct HttpListenerOptions {
  // Its threads are named PREFIX-accept and PREFIX-conn (cut to 15 characters).
  std::string thread_prefix = "http";
  // Names it in log lines ("metrics server cannot accept a connection").
  std::string name = "metrics server";
  // Added to the nice value of the thread that calls Listen for every serving
  // thread; 0 serves at that thread's priority (the simulator, which stands in
  // for a cloud and must not give way to the controller it serves).
  int nice_increment = Coalesced::kRenderNice;
};

// Thread-safe.
class HttpListener {
 public:
  HttpListener(HttpLimits limits, HttpHandler handler, HttpListenerOptions options = {});
  // Stops.
  ~HttpListener();
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  // Listens on `url` ("http://host:port", as net::BindListener hands it) and
  // starts accepting. kUnavailable with the system's reason when it cannot.
  Status Listen(const std::string& url);
  // Closes the listening socket, shuts every open connection down (a request
  // under way is cut short), and joins every thread. Idempotent.
  void Stop();

  // The thread names with the default options, as /proc/self/task/*/comm shows them.
  static constexpr char kAcceptThread[] = "http-accept";
  static constexpr char kConnectionThread[] = "http-conn";

 private:
  struct Connection {
    int fd = -1;  // -1 once closed by its thread
    std::thread thread;
  };
  void AcceptLoop();
  void Serve(uint64_t id, int fd, std::string peer);
  void Refuse(int fd);
  void Reap();  // joins the connection threads that have ended

  const HttpLimits limits_;
  const HttpHandler handler_;
  const HttpListenerOptions options_;
  SendGate send_gate_;
  int nice_ = 0;  // every thread's nice value
  int listen_fd_ = -1;
  std::mutex mu_;
  bool stopping_ = false;
  int open_ = 0;  // connections being served
  uint64_t next_id_ = 0;
  std::map<uint64_t, Connection> connections_;
  std::vector<uint64_t> ended_;  // their threads have ended and wait to be joined
  std::thread acceptor_;
};

}  // namespace converge::serve

// A loopback HTTP client for tests (serve/http_client.h underneath): one request
// per call, bounded by a timeout, never throws (a failed exchange is status 0
// with transport_error set to what failed, e.g. "connection refused").
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace converge::test_support {

struct Request {
  std::string method = "GET";
  std::string path = "/";  // path and query
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // sent with content_type when non-empty
  std::string content_type = "application/json";
  std::chrono::milliseconds timeout{5000};
};

struct Response {
  int status = 0;
  std::string body;
  std::string content_type;
  std::string transport_error;  // set when the exchange failed
  // The body as JSON; discarded (is_discarded()) when it is not JSON.
  nlohmann::json Json() const { return nlohmann::json::parse(body, nullptr, false); }
};

// `base_url` is e.g. "http://127.0.0.1:9464".
Response Send(const std::string& base_url, const Request& request);
Response Get(const std::string& base_url, const std::string& path);
Response Post(const std::string& base_url, const std::string& path, const nlohmann::json& body);

}  // namespace converge::test_support

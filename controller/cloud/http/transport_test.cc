#include "cloud/http/transport.h"

#include <gtest/gtest.h>

#include "cloud/http/socket_transport.h"

namespace converge::cloud::http {
namespace {

TEST(UrlEncodeTest, KeepsUnreservedAndEncodesTheRest) {
  EXPECT_EQ(UrlEncode("a-b_c.d~9"), "a-b_c.d~9");
  EXPECT_EQ(UrlEncode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
}

TEST(BuildTargetTest, JoinsQueryInOrder) {
  EXPECT_EQ(BuildTarget("/p", {}), "/p");
  EXPECT_EQ(BuildTarget("/p", {{"name", "x y"}, {"start", "0"}}), "/p?name=x%20y&start=0");
}

TEST(ParseEndpointTest, HostAndPort) {
  Result<Endpoint> ep = ParseEndpoint("https://api01.example.com:65106");
  ASSERT_TRUE(ep) << ep.error().message;
  EXPECT_EQ(ep->scheme, "https");
  EXPECT_EQ(ep->host, "api01.example.com");
  EXPECT_EQ(ep->port, 65106);
  EXPECT_EQ(ep->host_header, "api01.example.com:65106");
  EXPECT_EQ(ep->base_url, "https://api01.example.com:65106");
}

TEST(ParseEndpointTest, HostIsLowerCased) {
  Result<Endpoint> ep = ParseEndpoint("HTTPS://TIONE.TencentCloudAPI.com:8443");
  ASSERT_TRUE(ep);
  EXPECT_EQ(ep->host, "tione.tencentcloudapi.com");
  EXPECT_EQ(ep->host_header, "tione.tencentcloudapi.com:8443");
  EXPECT_EQ(ep->base_url, "https://tione.tencentcloudapi.com:8443");
}

TEST(ParseEndpointTest, DefaultPortAndTrailingSlash) {
  Result<Endpoint> ep = ParseEndpoint("https://tione.tencentcloudapi.com/");
  ASSERT_TRUE(ep);
  EXPECT_EQ(ep->host, "tione.tencentcloudapi.com");
  EXPECT_EQ(ep->port, 0);
  EXPECT_EQ(ep->host_header, "tione.tencentcloudapi.com");
}

TEST(ParseEndpointTest, Loopback) {
  Result<Endpoint> ep = ParseEndpoint("http://127.0.0.1:8089");
  ASSERT_TRUE(ep);
  EXPECT_EQ(ep->host, "127.0.0.1");
  EXPECT_EQ(ep->host_header, "127.0.0.1:8089");
  Result<Endpoint> v6 = ParseEndpoint("http://[::1]:8089");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->host_header, "[::1]:8089");
}

TEST(ParseEndpointTest, RejectsWhatIsNotAnEndpoint) {
  for (const char* bad : {"api.example.com", "ftp://x", "http://", "http://h:port", "http://h:0",
                          "http://h/path", "http://u@h", "http://h:99999"}) {
    Result<Endpoint> ep = ParseEndpoint(bad);
    ASSERT_FALSE(ep) << bad;
    EXPECT_EQ(ep.error().category, Error::Category::kInvalid);
    EXPECT_NE(ep.error().message.find("expected http(s)://host[:port]"), std::string::npos);
  }
  EXPECT_EQ(
      ParseEndpoint("ftp://x").error().message,
      "endpoint \"ftp://x\" has scheme other than http/https; expected http(s)://host[:port], "
      "e.g. https://tione.tencentcloudapi.com");
}

TEST(MakeHttpTransportTest, UnreadableCaFileIsAConfigurationError) {
  HttpTransportOptions options;
  options.endpoint = "https://127.0.0.1:1";
  options.ca_file = "/nonexistent/ca.pem";
  auto transport = MakeHttpTransport(options);
  ASSERT_FALSE(transport);
  EXPECT_EQ(transport.error().category, Error::Category::kInvalid);
  EXPECT_EQ(transport.error().message,
            "CA file \"/nonexistent/ca.pem\" cannot be read; point ca_file at a readable PEM "
            "bundle");
}

TEST(MakeHttpTransportTest, RefusedConnectionWasNeverSent) {
  HttpTransportOptions options;
  options.endpoint = "http://127.0.0.1:1";
  options.request_timeout = std::chrono::milliseconds(2000);
  auto transport = MakeHttpTransport(options);
  ASSERT_TRUE(transport);
  Result<HttpResponse> r = (*transport)->Send(HttpRequest{});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().category, Error::Category::kTransport);
  EXPECT_EQ(r.error().code, "transport_error");
  EXPECT_TRUE(r.error().retryable);
  EXPECT_FALSE(r.error().outcome_unknown);
  EXPECT_EQ(r.error().message,
            "connection refused by 127.0.0.1:1 (or the host is unreachable); check the host and "
            "port in spec.endpoint and that the service is up");
}

}  // namespace
}  // namespace converge::cloud::http

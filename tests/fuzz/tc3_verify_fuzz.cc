// Fuzz target: the simulator's TC3-HMAC-SHA256 verifier (sim/tc3_verify.h) on
// one request in the text form of request_text.h. With an `x-fuzz-sign:
// content-type;host` (or `content-type;host;x-tc-action`) header the target
// first signs the request as the TI-ONE client does (cloud/tione/tc3_signer.h,
// the test credentials, its X-TC-Timestamp or now), and checks the verifier
// accepts it within the clock-skew window, refuses it as expired outside it, and
// refuses it once the body changes. Without that header the request is verified
// as it is. No answer may reveal the secret key.
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "request_text.h"
#include "sim/simulator.h"
#include "sim/tc3_verify.h"

namespace {

using converge::sim::Request;
using converge::sim::TioneReply;

constexpr int64_t kNow = 1700000000;
constexpr int64_t kSkew = 300;

const converge::sim::Tc3Expectation kExpected{.secret_id = converge::sim::kTestSecretId,
                                              .secret_key = converge::sim::kTestSecretKey,
                                              .session_token = "",
                                              .service = converge::sim::kTioneService,
                                              .now = kNow,
                                              .skew_tolerance_seconds = kSkew};

void CheckNoSecret(const std::optional<TioneReply>& failure) {
  if (!failure) return;
  FUZZ_CHECK(!failure->error_code.empty(), "a refusal has an error code");
  FUZZ_CHECK(failure->error_message.find(converge::sim::kTestSecretKey) == std::string::npos,
             "a refusal never shows the secret key");
}

// Signs `r` in place; returns its timestamp.
int64_t Sign(Request& r, const std::string& signed_headers) {
  int64_t timestamp = kNow;
  const std::string text = r.Header("x-tc-timestamp");
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), timestamp);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) timestamp = kNow;
  converge::fuzz::SignWithTestKeys(r, signed_headers, timestamp);
  return timestamp;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Request r = converge::fuzz::ParseRequests(text, 1).front();
  const std::string sign = r.Header("x-fuzz-sign");
  r.headers.erase("x-fuzz-sign");
  if (sign != "content-type;host" && sign != "content-type;host;x-tc-action") {
    CheckNoSecret(converge::sim::VerifyTc3(r, kExpected));
    return 0;
  }
  const int64_t timestamp = Sign(r, sign);
  const std::optional<TioneReply> verdict = converge::sim::VerifyTc3(r, kExpected);
  CheckNoSecret(verdict);
  const bool fresh = timestamp >= kNow - kSkew && timestamp <= kNow + kSkew;
  if (!fresh) {
    FUZZ_CHECK(verdict && verdict->error_code == "AuthFailure.SignatureExpire",
               "a signature outside the clock-skew window is refused as expired");
    return 0;
  }
  FUZZ_CHECK(!verdict, "a request signed with the right key is accepted");
  r.body += "x";
  const std::optional<TioneReply> tampered = converge::sim::VerifyTc3(r, kExpected);
  FUZZ_CHECK(tampered && tampered->error_code == "AuthFailure.SignatureFailure",
             "a request whose body changed after signing is refused");
  return 0;
}

#include "cloud/tione/tc3_signer.h"

#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <ctime>

#include "base/hmac.h"

namespace converge::cloud::tione {

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return ToHex(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

namespace {

std::string UtcDate(int64_t timestamp) {
  const std::time_t t = static_cast<std::time_t>(timestamp);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

Tc3Signature SignTc3(const Tc3Input& in) {
  Tc3Signature out;
  std::string canonical_headers = "content-type:" + in.content_type + "\nhost:" + in.host + "\n";
  out.signed_headers = "content-type;host";
  if (in.sign_action_header) {
    canonical_headers += "x-tc-action:" + Lower(in.action) + "\n";
    out.signed_headers += ";x-tc-action";
  }
  out.canonical_request =
      "POST\n/\n\n" + canonical_headers + "\n" + out.signed_headers + "\n" + Sha256Hex(in.payload);
  out.hashed_canonical_request = Sha256Hex(out.canonical_request);
  out.date = UtcDate(in.timestamp);
  out.credential_scope = out.date + "/" + in.service + "/tc3_request";
  out.string_to_sign = "TC3-HMAC-SHA256\n" + std::to_string(in.timestamp) + "\n" +
                       out.credential_scope + "\n" + out.hashed_canonical_request;
  const std::string k_date = HmacSha256("TC3" + in.secret_key, out.date);
  const std::string k_service = HmacSha256(k_date, in.service);
  const std::string k_signing = HmacSha256(k_service, "tc3_request");
  out.k_date_hex = ToHex(k_date);
  out.k_service_hex = ToHex(k_service);
  out.k_signing_hex = ToHex(k_signing);
  out.signature = ToHex(HmacSha256(k_signing, out.string_to_sign));
  out.authorization = "TC3-HMAC-SHA256 Credential=" + in.secret_id + "/" + out.credential_scope +
                      ", SignedHeaders=" + out.signed_headers + ", Signature=" + out.signature;
  return out;
}

}  // namespace converge::cloud::tione

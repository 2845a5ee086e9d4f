#include "cloud/tione/tc3_signer.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <ctime>

namespace converge::cloud::tione {

std::string ToHex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return ToHex(std::string(reinterpret_cast<char*>(digest), sizeof digest));
}

std::string HmacSha256(const std::string& key, const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &len);
  return std::string(reinterpret_cast<char*>(digest), len);
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
  std::string canonical_headers =
      "content-type:" + in.content_type + "\nhost:" + in.host + "\n";
  out.signed_headers = "content-type;host";
  if (in.sign_action_header) {
    canonical_headers += "x-tc-action:" + Lower(in.action) + "\n";
    out.signed_headers += ";x-tc-action";
  }
  out.canonical_request = "POST\n/\n\n" + canonical_headers + "\n" + out.signed_headers + "\n" +
                          Sha256Hex(in.payload);
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

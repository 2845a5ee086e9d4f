// Tencent Cloud's published TC3-HMAC-SHA256 worked examples, every intermediate value.
#include "cloud/tione/tc3_signer.h"

#include <gtest/gtest.h>

namespace converge::cloud::tione {
namespace {

// 86 bytes; the \u sequences are literal backslashes in the payload.
const char kPayload[] =
    R"({"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]})";

Tc3Input VectorInput() {
  Tc3Input in;
  in.host = "cvm.tencentcloudapi.com";
  in.service = "cvm";
  in.action = "DescribeInstances";
  in.content_type = "application/json; charset=utf-8";
  in.payload = kPayload;
  in.timestamp = 1551113065;
  return in;
}

TEST(Tc3SignerTest, PayloadIsThePublishedOne) {
  EXPECT_EQ(std::string(kPayload).size(), 86u);
  EXPECT_EQ(Sha256Hex(kPayload),
            "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064");
}

TEST(Tc3SignerTest, VectorAWithActionHeader) {
  Tc3Input in = VectorInput();
  in.secret_id = "AKID" + std::string(32, '*');
  in.secret_key = std::string(32, '*');
  in.sign_action_header = true;
  const Tc3Signature sig = SignTc3(in);
  EXPECT_EQ(sig.canonical_request,
            "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n"
            "x-tc-action:describeinstances\n\ncontent-type;host;x-tc-action\n"
            "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064");
  EXPECT_EQ(sig.hashed_canonical_request,
            "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84");
  EXPECT_EQ(sig.date, "2019-02-25");
  EXPECT_EQ(sig.string_to_sign,
            "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n"
            "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84");
  EXPECT_EQ(sig.k_date_hex, "da98fb70dcf6b112dc21038d1eeeb3a95c74b4dcb12c1131f864f6066bd02be0");
  EXPECT_EQ(sig.k_service_hex, "8d70cbefb03939f929db64d32dc2ba89b1095620119fe3e050e2b18c5bd2752f");
  EXPECT_EQ(sig.k_signing_hex, "b596b923aad85185e2d1f6659d2a062e0a86731226e021e61bfe06f7ed05f5af");
  EXPECT_EQ(sig.signature, "10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f");
  EXPECT_EQ(sig.authorization,
            "TC3-HMAC-SHA256 Credential=" + in.secret_id +
                "/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host;x-tc-action, "
                "Signature=10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f");
}

TEST(Tc3SignerTest, VectorBWithoutActionHeader) {
  Tc3Input in = VectorInput();
  in.secret_id = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
  in.secret_key = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
  const Tc3Signature sig = SignTc3(in);
  EXPECT_EQ(sig.signed_headers, "content-type;host");
  EXPECT_EQ(sig.hashed_canonical_request,
            "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031");
  EXPECT_EQ(sig.signature, "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168");
}

TEST(Tc3SignerTest, SignatureDependsOnEveryInput) {
  Tc3Input in = VectorInput();
  in.secret_id = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
  in.secret_key = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
  const std::string base = SignTc3(in).signature;
  Tc3Input other = in;
  other.payload += " ";
  EXPECT_NE(SignTc3(other).signature, base);
  other = in;
  other.timestamp += 86400;
  EXPECT_NE(SignTc3(other).signature, base);
  other = in;
  other.secret_key[0] = 'X';
  EXPECT_NE(SignTc3(other).signature, base);
}

}  // namespace
}  // namespace converge::cloud::tione

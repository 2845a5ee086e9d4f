#include "base/hmac.h"

#include <gtest/gtest.h>

namespace converge {
namespace {

// RFC 4231 section 4.2, test case 1.
TEST(HmacSha256, MatchesRfc4231TestCase1) {
  EXPECT_EQ(ToHex(HmacSha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

// RFC 4231 section 4.3, test case 2: a key shorter than the block.
TEST(HmacSha256, MatchesRfc4231TestCase2) {
  EXPECT_EQ(ToHex(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

// RFC 4231 section 4.7, test case 6: a key longer than the block is hashed first.
TEST(HmacSha256, MatchesRfc4231TestCase6) {
  EXPECT_EQ(ToHex(HmacSha256(std::string(131, '\xaa'),
                             "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HmacSha256, KeepsEmbeddedNulBytesOfKeyAndData) {
  EXPECT_NE(HmacSha256(std::string("k\0a", 3), "d"), HmacSha256("k", "d"));
  EXPECT_NE(HmacSha256("k", std::string("d\0x", 3)), HmacSha256("k", "d"));
  EXPECT_EQ(HmacSha256("k", "d").size(), 32u);
}

TEST(ToHex, WritesTwoLowercaseDigitsPerByte) {
  EXPECT_EQ(ToHex(""), "");
  EXPECT_EQ(ToHex(std::string("\x00\x0f\xa0\xff", 4)), "000fa0ff");
}

TEST(ConstantTimeEqual, ComparesContentAndLength) {
  EXPECT_TRUE(ConstantTimeEqual("", ""));
  EXPECT_TRUE(ConstantTimeEqual("sha256=ab", "sha256=ab"));
  EXPECT_FALSE(ConstantTimeEqual("sha256=ab", "sha256=ac"));
  EXPECT_FALSE(ConstantTimeEqual("secret", "secret2"));
  EXPECT_FALSE(ConstantTimeEqual("secret", ""));
}

}  // namespace
}  // namespace converge

#include "base/base64url.h"

#include <gtest/gtest.h>

namespace converge {
namespace {

TEST(Base64Url, EncodesRfc4648VectorsWithoutPadding) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");  // url-safe alphabet
}

TEST(Base64Url, DecodesWithOrWithoutPaddingAndBothAlphabets) {
  EXPECT_EQ(Base64UrlDecode("Zm9vYg"), "foob");
  EXPECT_EQ(Base64UrlDecode("Zm9vYg=="), "foob");
  EXPECT_EQ(Base64UrlDecode("-_8"), "\xfb\xff");
  EXPECT_EQ(Base64UrlDecode("+/8="), "\xfb\xff");
  const std::string json = R"({"expireTime":"1700000000000"})";
  EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(json)), json);
}

TEST(Base64Url, RejectsForeignCharactersAndImpossibleLengths) {
  EXPECT_EQ(Base64UrlDecode("Zm9v.g"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("Zm9vY"), std::nullopt);
}

}  // namespace
}  // namespace converge

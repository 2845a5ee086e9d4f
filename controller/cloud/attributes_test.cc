#include "cloud/attributes.h"

#include <stdexcept>

#include <gtest/gtest.h>

namespace converge::cloud {
namespace {

TEST(AttributesTest, KeepsOneValuePerKeyInKeyOrderWhateverTheInsertionOrder) {
  Attributes a;
  a.emplace("ramSize", "1024");
  a.emplace("cpuNumber", "2");
  a.emplace("cpuNumber", "8");  // as std::map::emplace: the first value stays
  a["imagePath"] = "r/j:1";
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a.begin()->first, "cpuNumber");
  EXPECT_EQ(a.at("cpuNumber"), "2");
  EXPECT_EQ(a.at("imagePath"), "r/j:1");
  EXPECT_EQ(a.count("ramSize"), 1u);
  EXPECT_EQ(a.count("gpuNumber"), 0u);
  EXPECT_EQ(a.find("gpuNumber"), a.end());
  EXPECT_THROW(a.at("gpuNumber"), std::out_of_range);

  const Attributes b = {{"imagePath", "r/j:1"}, {"ramSize", "1024"}, {"cpuNumber", "2"}};
  EXPECT_EQ(a, b);
  a["cpuNumber"] = "4";  // operator[] replaces
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace converge::cloud

#include "cloud/provider.h"

#include <gtest/gtest.h>

namespace converge::cloud {
namespace {

// These names are user-visible: the unmanaged list of plan and status, and the
// kind label of converge_unmanaged_resources.
TEST(ResourceKindNameTest, NamesEachKindAsPlanStatusAndMetricsShowIt) {
  EXPECT_EQ(ResourceKindName(ResourceKind::kContainerInstance), "ContainerInstance");
  EXPECT_EQ(ResourceKindName(ResourceKind::kNotebook), "Notebook");
  EXPECT_EQ(ResourceKindName(ResourceKind::kTiOneNotebook), "TiOneNotebook");
}

}  // namespace
}  // namespace converge::cloud

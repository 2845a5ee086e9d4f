// The controller when the create-intent journal cannot be written: no create
// call without a durable intent, and a failed clear never becomes a second create.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/log.h"
#include "reconcile/controller.h"
#include "reconcile/controller_fixture.h"
#include "reconcile/failing_journal.h"

namespace converge::reconcile {
namespace {

using std::chrono::seconds;
using ::testing::ElementsAre;
using testing::Instance;
using testing::LinesWith;

using JournalFailureTest = testing::ControllerTestWith<testing::FailingJournal>;

TEST_F(JournalFailureTest, RecordFailureMakesNoCreateCallAndNamesTheStateDirError) {
  journal_.FailRecords(Error::IOError(
      "write intent /state/intents/scnet~ContainerInstance~bert.json.tmp: No space left on "
      "device (check the state dir's permissions and free space)"));
  Install({Instance("bert")});
  const PassResult pass = controller_.RunPass(false);
  EXPECT_EQ(scnet_->CountCalls("CreateContainerInstance"), 0);
  EXPECT_TRUE(journal_.Pending().empty());
  const ResourceStatus st = StatusOf("bert");
  EXPECT_EQ(st.synced.status, "False");
  EXPECT_EQ(st.synced.reason, "ReconcileError");
  const std::string message =
      "create failed: journal: cannot record the create intent durably: write intent "
      "/state/intents/scnet~ContainerInstance~bert.json.tmp: No space left on device (check the "
      "state dir's permissions and free space) (no call was made; fix the state dir)";
  EXPECT_EQ(st.synced.message, message);
  EXPECT_THAT(pass.changes, ElementsAre("ContainerInstance/bert: " + message));
}

TEST_F(JournalFailureTest, ClearFailureIsReportedAndDoesNotLeadToASecondCreate) {
  log::CaptureForTesting capture(log::Level::kInfo);
  journal_.FailClears(Error::IOError(
      "remove intent /state/intents/scnet~ContainerInstance~bert.json: Read-only file system"));
  Install({Instance("bert")});
  controller_.RunPass(false);
  ASSERT_EQ(scnet_->CountCalls("CreateContainerInstance"), 1);
  const ResourceStatus created = StatusOf("bert");
  EXPECT_EQ(created.synced.reason, "Created");
  EXPECT_EQ(created.synced.message,
            "created " + created.observed_id +
                "; its create intent could not be cleared (remove intent "
                "/state/intents/scnet~ContainerInstance~bert.json: Read-only file system): it "
                "stays pending and the next pass lists by name and adopts it");
  EXPECT_EQ(journal_.Pending().size(), 1u);
  EXPECT_THAT(LinesWith(capture.Text(), "cannot clear create intent"),
              ElementsAre("warn cannot clear create intent; it stays pending and the next pass "
                          "lists by name and adopts (no second create); fix the state dir "
                          "intent=scnet/ContainerInstance/bert error=\"remove intent "
                          "/state/intents/scnet~ContainerInstance~bert.json: Read-only file "
                          "system\""));

  // The pending intent is resolved by listing: the resource is adopted, not created.
  for (int i = 0; i < 3; ++i) {
    clock_.Advance(seconds(31));
    controller_.RunPass(false);
  }
  EXPECT_EQ(scnet_->CountCalls("CreateContainerInstance"), 1);
  EXPECT_EQ(StatusOf("bert").synced.reason, "Adopted");
  EXPECT_EQ(journal_.ClearAttempts(), 4);
  EXPECT_EQ(journal_.Pending().size(), 1u);

  journal_.SucceedClears();  // the state dir is writable again
  clock_.Advance(seconds(31));
  controller_.RunPass(false);
  EXPECT_TRUE(journal_.Pending().empty());
  EXPECT_EQ(scnet_->CountCalls("CreateContainerInstance"), 1);
  EXPECT_EQ(StatusOf("bert").observed_id, created.observed_id);
}

}  // namespace
}  // namespace converge::reconcile

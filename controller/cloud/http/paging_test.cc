#include "cloud/http/paging.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

namespace converge::cloud::http {
namespace {

using ::testing::ElementsAre;

// Answers scripted pages in order, records each request, and once the script is
// used up answers full pages of fresh ids forever (a server ignoring start/page).
class ScriptedList {
 public:
  explicit ScriptedList(int page_size) : page_size_(page_size) {}

  ScriptedList& Page(std::vector<std::string> ids, std::optional<int64_t> total = std::nullopt,
                     bool last = false) {
    ListPage page;
    for (std::string& id : ids) page.items.push_back(Observed{.id = id, .name = "n-" + id});
    page.total = total;
    page.last = last;
    script_.push_back(Result<ListPage>(std::move(page)));
    return *this;
  }
  ScriptedList& Fails(Error error) {
    script_.push_back(std::unexpected(std::move(error)));
    return *this;
  }

  Result<std::vector<Observed>> FetchAll(PagedList list = {}) {
    list.page_size = page_size_;
    if (list.cloud.empty()) list.cloud = "SCNet";
    return FetchAllPages(list, [this](const PageRequest& at) { return Answer(at); });
  }

  // "number@offset" per fetch.
  std::vector<std::string> requests;

 private:
  Result<ListPage> Answer(const PageRequest& at) {
    requests.push_back(std::to_string(at.number) + "@" + std::to_string(at.offset));
    if (!script_.empty()) {
      Result<ListPage> next = std::move(script_.front());
      script_.pop_front();
      return next;
    }
    ListPage endless;
    for (int i = 0; i < page_size_; ++i) {
      endless.items.push_back(Observed{.id = "x" + std::to_string(fresh_++)});
    }
    return endless;
  }

  const int page_size_;
  std::deque<Result<ListPage>> script_;
  int fresh_ = 0;
};

std::vector<std::string> Ids(const std::vector<Observed>& items) {
  std::vector<std::string> ids;
  for (const Observed& o : items) ids.push_back(o.id);
  return ids;
}

TEST(FetchAllPagesTest, StopsWhenTheOffsetReachesTheTotal) {
  ScriptedList list(2);
  list.Page({"a", "b"}, 4).Page({"c", "d"}, 4);
  Result<std::vector<Observed>> all = list.FetchAll();
  ASSERT_TRUE(all.has_value()) << all.error().ToString();
  EXPECT_THAT(Ids(*all), ElementsAre("a", "b", "c", "d"));
  EXPECT_THAT(list.requests, ElementsAre("0@0", "1@2"));
}

TEST(FetchAllPagesTest, AShortPageDoesNotStopWhileTheTotalSaysMore) {
  ScriptedList list(2);
  list.Page({"a"}, 3).Page({"b", "c"}, 3);
  Result<std::vector<Observed>> all = list.FetchAll();
  ASSERT_TRUE(all.has_value()) << all.error().ToString();
  EXPECT_THAT(Ids(*all), ElementsAre("a", "b", "c"));
  EXPECT_THAT(list.requests, ElementsAre("0@0", "1@1"));
}

TEST(FetchAllPagesTest, WithoutATotalStopsOnAShortPage) {
  ScriptedList list(3);
  list.Page({"a", "b", "c"}).Page({"d"});
  Result<std::vector<Observed>> all = list.FetchAll();
  ASSERT_TRUE(all.has_value()) << all.error().ToString();
  EXPECT_THAT(Ids(*all), ElementsAre("a", "b", "c", "d"));
  EXPECT_THAT(list.requests, ElementsAre("0@0", "1@3"));
}

TEST(FetchAllPagesTest, StopsOnAnEmptyPageEvenBelowTheTotal) {
  ScriptedList list(2);
  list.Page({"a", "b"}, 10).Page({}, 10);
  Result<std::vector<Observed>> all = list.FetchAll();
  ASSERT_TRUE(all.has_value()) << all.error().ToString();
  EXPECT_THAT(Ids(*all), ElementsAre("a", "b"));
  EXPECT_THAT(list.requests, ElementsAre("0@0", "1@2"));
}

TEST(FetchAllPagesTest, StopsOnAFullPageMarkedLast) {
  ScriptedList list(1);
  list.Page({"a"}, std::nullopt, /*last=*/true);
  Result<std::vector<Observed>> all = list.FetchAll();
  ASSERT_TRUE(all.has_value()) << all.error().ToString();
  EXPECT_THAT(Ids(*all), ElementsAre("a"));
  EXPECT_THAT(list.requests, ElementsAre("0@0"));
}

TEST(FetchAllPagesTest, KeepsTheFirstSightingOfAnIdSeenOnTwoPages) {
  // A create during the list shifts "b" onto the second page too.
  ScriptedList list(2);
  list.Page({"a", "b"}).Page({"b", "c"}).Page({"d"});
  Result<std::vector<Observed>> all = list.FetchAll();
  ASSERT_TRUE(all.has_value()) << all.error().ToString();
  EXPECT_THAT(Ids(*all), ElementsAre("a", "b", "c", "d"));
  EXPECT_THAT(list.requests, ElementsAre("0@0", "1@2", "2@4"));
}

TEST(FetchAllPagesTest, ReturnsAFetchErrorAsItIsAndFetchesNoMore) {
  Error refused;
  refused.category = Error::Category::kServer;
  refused.retryable = true;
  refused.provider = "scnet-a";
  refused.operation = "ListNotebooks";
  refused.code = "10001";
  refused.message = "内部错误";
  ScriptedList list(2);
  list.Page({"a", "b"}).Fails(refused).Page({"c"});
  Result<std::vector<Observed>> all = list.FetchAll();
  ASSERT_FALSE(all.has_value());
  EXPECT_EQ(all.error().ToString(), "ListNotebooks on scnet-a: 内部错误 (code 10001)");
  EXPECT_EQ(all.error().category, Error::Category::kServer);
  EXPECT_TRUE(all.error().retryable);
  EXPECT_THAT(list.requests, ElementsAre("0@0", "1@2"));
}

TEST(FetchAllPagesTest, GivesUpAfterMaxPagesWithAProtocolError) {
  ScriptedList list(2);
  Result<std::vector<Observed>> all = list.FetchAll(PagedList{
      .cloud = "TI-ONE", .provider = "tione-sh", .operation = "DescribeNotebooks", .max_pages = 3});
  ASSERT_FALSE(all.has_value());
  EXPECT_EQ(all.error().category, Error::Category::kProtocol);
  EXPECT_FALSE(all.error().retryable);
  EXPECT_EQ(all.error().ToString(),
            "DescribeNotebooks on tione-sh: TI-ONE kept answering pages past 3 pages");
  EXPECT_THAT(list.requests, ElementsAre("0@0", "1@2", "2@4"));
}

TEST(FetchAllPagesTest, TheDefaultGuardIsTenThousandPages) {
  ScriptedList list(1);
  Result<std::vector<Observed>> all = list.FetchAll(PagedList{.provider = "scnet-a"});
  ASSERT_FALSE(all.has_value());
  EXPECT_EQ(all.error().message, "SCNet kept answering pages past 10000 pages");
  EXPECT_EQ(list.requests.size(), 10000u);
  EXPECT_EQ(list.requests.back(), "9999@9999");
}

}  // namespace
}  // namespace converge::cloud::http

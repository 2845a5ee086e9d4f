// Reading a list the cloud answers page by page: one loop for every adapter, with
// its stop rules and its guard against a server that never stops answering.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "cloud/error.h"
#include "cloud/provider.h"

namespace converge::cloud::http {

// Default for PagedList::max_pages: a guard against a server that ignores
// start/page and keeps answering full pages.
inline constexpr int kMaxListPages = 10000;

// One page of a list answer, as an adapter parsed it.
struct ListPage {
  std::vector<Observed> items;
  std::optional<int64_t> total;  // the cloud's count of every item, when it reports one
  bool last = false;             // the answer itself says no page follows
  bool operator==(const ListPage&) const = default;
};

// The page to fetch: `number` counts from 0 (SCNet notebooks send number + 1);
// `offset` is how many items the pages before it held (SCNet start, TI-ONE Offset).
struct PageRequest {
  int number = 0;
  int64_t offset = 0;
};

// What is listed, for the guard's error. The views must outlive the call.
struct PagedList {
  std::string_view cloud;      // "SCNet", "TI-ONE": named in the guard's message
  std::string_view provider;   // Error::provider of the guard's error
  std::string_view operation;  // Error::operation of the guard's error
  int page_size = 50;          // the page size asked for; a shorter page is the last
  int max_pages = kMaxListPages;
};

using PageFetcher = std::function<Result<ListPage>(const PageRequest&)>;

// Fetches pages 0, 1, ... and returns their items in order, keeping the first
// sighting of each id (pages shift when items are created during the list).
// Stops after a page that is empty, is marked `last`, brings the offset to
// `total`, or, when the cloud reports no total, holds fewer than page_size items.
// A fetch error is returned as it is. After max_pages pages without a stop: a
// kProtocol Error "<cloud> kept answering pages past <max_pages> pages" carrying
// provider and operation.
Result<std::vector<Observed>> FetchAllPages(const PagedList& list, const PageFetcher& fetch);

}  // namespace converge::cloud::http

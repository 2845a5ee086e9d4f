#include "cloud/http/paging.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <unordered_set>

#include "cloud/http/json_fields.h"

namespace converge::cloud::http {

Result<std::vector<Observed>> FetchAllPages(const PagedList& list, const PageFetcher& fetch) {
  // The pages are kept as they came until the end, so the ids seen are views of
  // items that do not move (no copy of each id); an id seen before on an
  // earlier page (the list shifted while it was paged) is dropped.
  std::vector<std::vector<Observed>> pages;
  std::vector<std::vector<bool>> keep;
  std::unordered_set<std::string_view> seen;
  size_t kept = 0;
  int64_t offset = 0;
  for (int number = 0;; ++number) {
    if (number == list.max_pages) {
      Error e = ProtocolError(std::string(list.cloud) + " kept answering pages past " +
                              std::to_string(list.max_pages) + " pages");
      e.provider = list.provider;
      e.operation = list.operation;
      return std::unexpected(std::move(e));
    }
    Result<ListPage> page = fetch(PageRequest{number, offset});
    if (!page) return std::unexpected(std::move(page.error()));
    const int64_t got = static_cast<int64_t>(page->items.size());
    // Room for the whole list at once (bounded: the total is the cloud's word).
    if (number == 0 && page->total) {
      seen.reserve(static_cast<size_t>(std::clamp<int64_t>(*page->total, 0, 1 << 16)));
    }
    const std::vector<Observed>& items = pages.emplace_back(std::move(page->items));
    std::vector<bool>& fresh = keep.emplace_back(items.size());
    for (size_t i = 0; i < items.size(); ++i) {
      fresh[i] = seen.insert(items[i].id).second;
      kept += fresh[i] ? 1 : 0;
    }
    offset += got;
    if (page->last || got == 0) break;
    if (page->total ? offset >= *page->total : got < list.page_size) break;
  }
  std::vector<Observed> out;
  out.reserve(kept);
  seen.clear();  // its views are of the items about to move
  for (size_t p = 0; p < pages.size(); ++p) {
    for (size_t i = 0; i < pages[p].size(); ++i) {
      if (keep[p][i]) out.push_back(std::move(pages[p][i]));
    }
  }
  return out;
}

}  // namespace converge::cloud::http

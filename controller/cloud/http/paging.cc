#include "cloud/http/paging.h"

#include <algorithm>
#include <string>
#include <unordered_set>

#include "cloud/http/json_fields.h"

namespace converge::cloud::http {

Result<std::vector<Observed>> FetchAllPages(const PagedList& list, const PageFetcher& fetch) {
  std::vector<Observed> out;
  std::unordered_set<std::string> seen;
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
      const auto expected = static_cast<size_t>(std::clamp<int64_t>(*page->total, 0, 1 << 16));
      out.reserve(expected);
      seen.reserve(expected);
    }
    for (Observed& o : page->items) {
      if (seen.insert(o.id).second) out.push_back(std::move(o));
    }
    offset += got;
    if (page->last || got == 0) break;
    if (page->total ? offset >= *page->total : got < list.page_size) break;
  }
  return out;
}

}  // namespace converge::cloud::http

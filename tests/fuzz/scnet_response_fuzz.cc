// Fuzz target: the SCNet answer parsers (cloud/scnet/scnet_api.h) and the token
// reader (jwt.h) on one HTTP body: the envelope first (InterpretResponse, as for
// a 200 and a 500), then every data parser on what it yields, as the adapter
// would for each operation; and the one-pass list readers (InterpretInstancePage,
// InterpretNotebookPage) against that tree route.
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "cloud/scnet/jwt.h"
#include "cloud/scnet/scnet_api.h"
#include "fuzz_check.h"

namespace {

using namespace converge::cloud;

void ParseData(const nlohmann::json& data) {
  for (auto page : {scnet::ParseInstancePage(data), scnet::ParseNotebookPage(data)}) {
    if (!page) {
      FUZZ_CHECK(page.error().category == Error::Category::kProtocol,
                 "a list page that cannot be read is a protocol error");
      continue;
    }
    for (const Observed& item : page->items) {
      FUZZ_CHECK(!item.id.empty() && !item.name.empty(), "every listed item has an id and a name");
    }
  }
  scnet::ParseInstance(data);
  scnet::ParseNotebook(data);
  if (auto id = scnet::ParseCreatedId(data)) {
    FUZZ_CHECK(!id->empty(), "a created id is never empty");
  }
  (void)scnet::ParseServiceStart(data);
  if (data.is_string()) (void)scnet::TokenExpiry(data.get<std::string>());
}

// The list sweeps' one-pass reader gives what the tree route gives.
void SameAsTreeRoute(const std::string& body, int status, const http::Interpretation& tree) {
  using Reader = http::Interpretation (*)(const http::HttpResponse&, Result<http::ListPage>*);
  using PageParser = Result<http::ListPage> (*)(const nlohmann::json&);
  const std::pair<Reader, PageParser> routes[] = {
      {scnet::InterpretInstancePage, scnet::ParseInstancePage},
      {scnet::InterpretNotebookPage, scnet::ParseNotebookPage}};
  for (const auto& [read, parse] : routes) {
    Result<http::ListPage> page = std::unexpected(Error{});
    const http::Interpretation flat = read({status, body}, &page);
    FUZZ_CHECK(flat.code == tree.code && flat.value.has_value() == tree.value.has_value(),
               "the one-pass list reader gives the envelope's verdict of the tree route");
    if (!tree.value) {
      FUZZ_CHECK(flat.value.error().ToString() == tree.value.error().ToString(),
                 "the one-pass list reader gives the tree route's error");
      continue;
    }
    const Result<http::ListPage> expected = parse(*tree.value);
    FUZZ_CHECK(
        page.has_value() == expected.has_value() &&
            (expected ? *page == *expected : page.error().message == expected.error().message),
        "the one-pass list reader gives the tree route's page");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  for (int status : {200, 500}) {
    http::Interpretation answer = scnet::InterpretResponse({status, body});
    SameAsTreeRoute(body, status, answer);
    if (answer.value) ParseData(*answer.value);
  }
  (void)scnet::TokenExpiry(body);
  return 0;
}

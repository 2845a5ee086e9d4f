// Fuzz target: the SCNet answer parsers (cloud/scnet/scnet_api.h) and the token
// reader (jwt.h) on one HTTP body: the envelope first (InterpretResponse, as for
// a 200 and a 500), then every data parser on what it yields, as the adapter
// would for each operation.
#include <cstddef>
#include <cstdint>
#include <string>

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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  for (int status : {200, 500}) {
    http::Interpretation answer = scnet::InterpretResponse({status, body});
    if (answer.value) ParseData(*answer.value);
  }
  (void)scnet::TokenExpiry(body);
  return 0;
}

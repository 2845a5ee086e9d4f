// Fuzz target: the TI-ONE answer parsers (cloud/tione/tione_api.h) on one HTTP
// body: the envelope first (InterpretResponse, as for a 200 and a 500), then
// every Response parser on what it yields, as the adapter would for each action.
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "cloud/tione/tione_api.h"
#include "fuzz_check.h"

namespace {

using namespace converge::cloud;

void ParseResponse(const nlohmann::json& response) {
  if (auto page = tione::ParseNotebookSet(response)) {
    for (const Observed& item : page->items) {
      FUZZ_CHECK(!item.id.empty() && !item.name.empty(), "every listed item has an id and a name");
    }
  } else {
    FUZZ_CHECK(page.error().category == Error::Category::kProtocol,
               "a NotebookSet that cannot be read is a protocol error");
  }
  if (auto detail = tione::ParseNotebookDetail(response); !detail) {
    FUZZ_CHECK(detail.error().category == Error::Category::kProtocol,
               "a NotebookDetail that cannot be read is a protocol error");
  }
  if (auto id = tione::ParseCreatedId(response)) {
    FUZZ_CHECK(!id->empty(), "a created id is never empty");
  }
  tione::ParseNotebook(response);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  for (int status : {200, 500}) {
    http::Interpretation answer = tione::InterpretResponse({status, body});
    if (answer.value) {
      ParseResponse(*answer.value);
    } else {
      FUZZ_CHECK(!answer.value.error().message.empty(), "every failure says what went wrong");
    }
  }
  return 0;
}

// Fuzz target: the manifest loader (YAML parsing, decoding, validation and the
// cross-document rules) on the bytes of one file.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "manifest/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const converge::manifest::LoadResult result = converge::manifest::LoadString(text, "fuzz.yaml");
  for (const converge::manifest::Diagnostic& d : result.errors) {
    FUZZ_CHECK(!d.message.empty(), "every diagnostic says what is wrong");
    FUZZ_CHECK(!d.ToString().empty(), "every diagnostic prints");
  }
  if (result.ok() && result.documents > 0) {
    FUZZ_CHECK(!result.manifests.providers.empty() || !result.manifests.resources.empty(),
               "a file with documents that loads without errors holds a manifest");
  }
  return 0;
}

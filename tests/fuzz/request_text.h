// The text form of simulator requests the sim_dispatch and tc3_verify fuzz
// targets read (and their seed corpora hold):
//
//   POST /path?k=v&k2=v2
//   Header-Name: value
//   ...
//   <empty line>
//   body
//
// Several requests are separated by a line holding only "----". Header names are
// lowercased and their values trimmed, as the listener decodes them; a line
// without ':' is ignored. Query keys and values are taken as they are (the
// listener percent-decodes them first).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/request.h"

namespace converge::fuzz {

// At most `max_requests` requests of `text` (the rest is ignored).
std::vector<sim::Request> ParseRequests(std::string_view text, size_t max_requests);

// Signs `r` in place as the TI-ONE client does (cloud/tione/tc3_signer.h) with the
// simulator's test credentials at `timestamp`, which it also sets as X-TC-Timestamp.
// `signed_headers` "content-type;host;x-tc-action" signs the action header too;
// anything else signs content-type and host.
void SignWithTestKeys(sim::Request& r, const std::string& signed_headers, int64_t timestamp);

}  // namespace converge::fuzz

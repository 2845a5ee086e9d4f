// The last phase: a document that passed the walk and the rules becomes its model
// value (model.h). The walked value has every field checked and every default
// filled in, so the conversions here need no checks of their own.
#pragma once

#include <nlohmann/json.hpp>

#include "manifest/decode.h"
#include "manifest/model.h"

namespace converge::manifest {

// The model object of a valid document of `kind` whose walked value is `value` and
// which starts at `location`. Throws only on a value the walk should have refused
// (DecodeDocument reports that as an internal error).
DecodedObject BuildObject(Kind kind, const nlohmann::json& value, const Location& location);

}  // namespace converge::manifest

// The rules of each kind that relate one field to another (a provider's type and its
// credentials, an accelerator's type and count, a notebook's charge type and
// resources, ...), checked after the walk. They read the walked value (the fields
// that passed their own checks, defaults filled in) and which keys the document
// wrote, and report each problem at the field to change.
#pragma once

#include "manifest/decode.h"

namespace converge::manifest {

// Checks the rules of doc.kind (set) on doc.value and doc.locations.
void CheckRules(const DecodedDocument& doc, DocumentErrors* errors);

}  // namespace converge::manifest

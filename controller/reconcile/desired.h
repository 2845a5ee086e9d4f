// From a manifest resource to what the cloud should hold: create requests (with
// Converge's ownership mark) and the attributes drift is measured on. Pure.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cloud/provider.h"
#include "manifest/model.h"

namespace converge::reconcile {

// The ownership mark: appended to SCNet descriptions, set as a TI-ONE tag.
inline constexpr char kOwnershipMark[] = "managed-by=converge";
inline constexpr char kOwnershipTagKey[] = "managed-by";
inline constexpr char kOwnershipTagValue[] = "converge";

// The cloud kind a manifest kind is observed as (NotebookService -> its notebook).
cloud::ResourceKind ObservedKindOf(manifest::Kind kind);

// The cloud name a resource is matched by: metadata.name, or for a
// NotebookService the notebook it runs on.
const std::string& CloudNameOf(const manifest::Resource& r);

cloud::ContainerInstanceCreate ToCreateRequest(const manifest::ContainerInstance& ci);
cloud::TiOneNotebookCreate ToCreateRequest(const manifest::TiOneNotebook& nb);

// True when an observed resource carries Converge's ownership mark.
bool IsOwnedByConverge(const cloud::Observed& o);

// One attribute compared for drift: the API's field name (as in
// Observed::attributes), the manifest field it comes from, and the desired value.
// The views are valid during the call only (a number's text is on the stack).
struct DesiredAttribute {
  std::string_view api_field;   // a literal: the API's field name
  std::string_view spec_field;  // a literal: the manifest's field path
  std::string_view value;
};
// Calls `visit` with each attribute of `r` compared for drift, allocating
// nothing (the diff runs for every resource on every sweep).
void ForEachDesiredAttribute(const manifest::Resource& r,
                             const std::function<void(const DesiredAttribute&)>& visit);

}  // namespace converge::reconcile

namespace converge::reconcile {

// A stable digest of everything in a resource's manifest that the controller acts
// on; a change means the resource must be looked at again at once.
std::string Fingerprint(const manifest::Resource& r);
// "ContainerInstance/scnet-hefei/bert-finetune".
std::string ResourceKey(const manifest::Resource& r);

}  // namespace converge::reconcile

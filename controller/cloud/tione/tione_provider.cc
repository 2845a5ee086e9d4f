#include "cloud/tione/tione_provider.h"

#include <algorithm>

#include "cloud/http/json_fields.h"
#include "cloud/http/paging.h"

namespace converge::cloud::tione {
namespace {

// DescribeNotebooks accepts Limit 1..100.
constexpr int kMaxLimit = 100;

}  // namespace

TiOneProvider::TiOneProvider(std::string name, CredentialSources credentials,
                             std::string host_header, std::string host, int page_size,
                             std::unique_ptr<http::ApiCaller> caller)
    : name_(std::move(name)),
      credentials_(std::move(credentials)),
      host_header_(std::move(host_header)),
      host_(std::move(host)),
      page_size_(page_size > 0 ? std::min(page_size, kMaxLimit) : 50),
      caller_(std::move(caller)) {}

std::string TiOneProvider::SecretProblem() const {
  std::string out;
  for (const Secret* s :
       {&credentials_.secret_id, &credentials_.secret_key, &credentials_.session_token}) {
    const std::string problem = s->Problem();
    if (!problem.empty()) out += (out.empty() ? "" : "; ") + problem;
  }
  return out;
}

Error TiOneProvider::Fail(Error error, const char* operation) const {
  error.provider = name_;
  error.operation = operation;
  return error;
}

Error TiOneProvider::Unsupported(const char* operation, ResourceKind kind) const {
  Error e;
  e.category = Error::Category::kInvalid;
  e.message = "TI-ONE provider \"" + name_ + "\" does not hold " +
              std::string(ResourceKindName(kind)) +
              " resources; point the resource at a provider of the right type";
  return Fail(std::move(e), operation);
}

Result<nlohmann::json> TiOneProvider::Call(const char* action, http::CallKind kind,
                                           const std::string& body) {
  return caller_->Call(
      action, kind,
      [&] {
        const int64_t timestamp = std::chrono::duration_cast<std::chrono::seconds>(
                                      caller_->clock().WallNow().time_since_epoch())
                                      .count();
        const Credentials now{credentials_.secret_id.Current(), credentials_.secret_key.Current(),
                              credentials_.region, credentials_.session_token.Current()};
        return SignedRequest(action, body, host_header_, host_, now, timestamp);
      },
      InterpretResponse);
}

Result<std::vector<Observed>> TiOneProvider::Describe(const std::string& name_filter) {
  auto fetch = [&](const http::PageRequest& at) -> Result<http::ListPage> {
    Result<nlohmann::json> response =
        Call(kDescribeNotebooks, http::CallKind::kRead,
             DescribeNotebooksBody(at.offset, page_size_, name_filter));
    if (!response) return std::unexpected(response.error());
    Result<http::ListPage> page = ParseNotebookSet(*response);
    if (!page) {
      Error e = page.error();
      e.request_id = http::TextOr(*response, "RequestId");
      return std::unexpected(Fail(std::move(e), kDescribeNotebooks));
    }
    return page;
  };
  const http::PagedList list{.cloud = "TI-ONE",
                             .provider = name_,
                             .operation = kDescribeNotebooks,
                             .page_size = page_size_};
  return http::FetchAllPages(list, fetch);
}

Result<std::vector<Observed>> TiOneProvider::List(ResourceKind kind) {
  if (kind != ResourceKind::kTiOneNotebook) {
    return std::unexpected(Unsupported(kDescribeNotebooks, kind));
  }
  return Describe("");
}

Result<std::vector<Observed>> TiOneProvider::ListByName(ResourceKind kind,
                                                        const std::string& name) {
  if (kind != ResourceKind::kTiOneNotebook) {
    return std::unexpected(Unsupported(kDescribeNotebooks, kind));
  }
  Result<std::vector<Observed>> all = Describe(name);
  if (!all) return all;
  std::vector<Observed> out;
  for (Observed& o : *all) {
    if (o.name == name) out.push_back(std::move(o));
  }
  return out;
}

Result<Observed> TiOneProvider::DescribeNotebook(const std::string& id) {
  Result<nlohmann::json> response = Call(kDescribeNotebook, http::CallKind::kRead, IdBody(id));
  if (!response) return std::unexpected(response.error());
  Result<Observed> detail = ParseNotebookDetail(*response);
  if (!detail) return std::unexpected(Fail(detail.error(), kDescribeNotebook));
  return detail;
}

Result<std::string> TiOneProvider::CreateContainerInstance(const ContainerInstanceCreate&) {
  return std::unexpected(Unsupported("CreateContainerInstance", ResourceKind::kContainerInstance));
}

Result<std::string> TiOneProvider::CreateTiOneNotebook(const TiOneNotebookCreate& req) {
  Result<nlohmann::json> response =
      Call(kCreateNotebook, http::CallKind::kCreate, CreateNotebookBody(req));
  if (!response) return std::unexpected(response.error());
  Result<std::string> id = ParseCreatedId(*response);
  if (!id) {
    Error e = Fail(id.error(), kCreateNotebook);
    e.outcome_unknown = true;
    e.request_id = http::TextOr(*response, "RequestId");
    return std::unexpected(std::move(e));
  }
  return id;
}

Status TiOneProvider::RestartContainerInstance(const std::string&) {
  return std::unexpected(Unsupported("RestartContainerInstance", ResourceKind::kContainerInstance));
}

Status TiOneProvider::Simple(const char* action, ResourceKind kind, const std::string& id) {
  if (kind != ResourceKind::kTiOneNotebook) return std::unexpected(Unsupported(action, kind));
  Result<nlohmann::json> response = Call(action, http::CallKind::kMutate, IdBody(id));
  if (!response) return std::unexpected(response.error());
  return {};
}

Status TiOneProvider::StartNotebook(ResourceKind kind, const std::string& id) {
  return Simple(kStartNotebook, kind, id);
}

Status TiOneProvider::StopNotebook(ResourceKind kind, const std::string& id) {
  return Simple(kStopNotebook, kind, id);
}

Status TiOneProvider::StopContainerInstance(const std::string&) {
  return std::unexpected(Unsupported("StopContainerInstance", ResourceKind::kContainerInstance));
}

Status TiOneProvider::DeleteContainerInstance(const std::string&) {
  return std::unexpected(Unsupported("DeleteContainerInstance", ResourceKind::kContainerInstance));
}

Status TiOneProvider::DeleteNotebook(ResourceKind kind, const std::string& id) {
  return Simple(kDeleteNotebook, kind, id);
}

Status TiOneProvider::ModifyTiOneNotebook(const std::string& id, const TiOneNotebookCreate& req) {
  Result<nlohmann::json> response =
      Call(kModifyNotebook, http::CallKind::kMutate, ModifyNotebookBody(id, req));
  if (!response) return std::unexpected(response.error());
  return {};
}

Status TiOneProvider::StartNotebookService(const std::string&, int, const std::string&) {
  return std::unexpected(Unsupported("StartNotebookService", ResourceKind::kNotebook));
}

}  // namespace converge::cloud::tione

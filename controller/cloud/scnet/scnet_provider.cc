#include "cloud/scnet/scnet_provider.h"

#include "cloud/http/json_fields.h"
#include "cloud/http/paging.h"
#include "cloud/scnet/scnet_api.h"

namespace converge::cloud::scnet {
namespace {

std::vector<Observed> ExactMatches(std::vector<Observed> all, const std::string& name) {
  std::vector<Observed> out;
  for (Observed& o : all) {
    if (o.name == name) out.push_back(std::move(o));
  }
  return out;
}

}  // namespace

ScnetProvider::ScnetProvider(std::string name, std::shared_ptr<TokenSource> tokens, int page_size,
                             std::unique_ptr<http::ApiCaller> caller,
                             std::function<std::string()> endpoint)
    : name_(std::move(name)),
      tokens_(std::move(tokens)),
      page_size_(page_size > 0 ? page_size : 50),
      caller_(std::move(caller)),
      endpoint_(std::move(endpoint)) {}

Error ScnetProvider::Fail(Error error, const char* operation) const {
  error.provider = name_;
  error.operation = operation;
  return error;
}

Error ScnetProvider::Unsupported(const char* operation, ResourceKind kind) const {
  Error e;
  e.category = Error::Category::kInvalid;
  e.message = "SCNet provider \"" + name_ + "\" does not hold " +
              std::string(ResourceKindName(kind)) +
              " resources; point the resource at a provider of the right type";
  return Fail(std::move(e), operation);
}

Result<nlohmann::json> ScnetProvider::Send(const char* operation, http::CallKind kind,
                                           const std::function<http::HttpRequest()>& build,
                                           const http::Interpreter& interpret) {
  Result<std::string> token = tokens_->Current();
  if (!token) return std::unexpected(Fail(std::move(token.error()), operation));
  auto call = [&](const std::string& with) {
    return caller_->Call(
        operation, kind,
        [&] {
          http::HttpRequest r = build();
          r.headers.emplace_back("token", with);
          return r;
        },
        interpret);
  };
  Result<nlohmann::json> data = call(*token);
  if (data || !IsCredentialRejection(data.error())) return data;
  Result<std::string> fresh = tokens_->AfterRejection(*token, data.error());
  if (!fresh) return std::unexpected(Fail(std::move(fresh.error()), operation));
  return call(*fresh);
}

Result<nlohmann::json> ScnetProvider::Get(const char* operation, std::string target,
                                          const http::Interpreter& interpret) {
  return Send(
      operation, http::CallKind::kRead,
      [&] {
        http::HttpRequest r;
        r.method = "GET";
        r.target = target;
        return r;
      },
      interpret);
}

Result<nlohmann::json> ScnetProvider::Post(const char* operation, http::CallKind kind,
                                           std::string target, std::string body,
                                           std::string method) {
  return Send(
      operation, kind,
      [&] {
        http::HttpRequest r;
        r.method = method;
        r.target = target;
        r.body = body;
        if (!body.empty()) r.content_type = "application/json";
        return r;
      },
      InterpretResponse);
}

http::PagedList ScnetProvider::Paged(const char* operation) const {
  return http::PagedList{
      .cloud = "SCNet", .provider = name_, .operation = operation, .page_size = page_size_};
}

Result<std::vector<Observed>> ScnetProvider::ListInstances(const std::string& name_filter) {
  auto fetch = [&](const http::PageRequest& at) -> Result<http::ListPage> {
    std::vector<std::pair<std::string, std::string>> query;
    if (!name_filter.empty()) query.emplace_back("instanceServiceName", name_filter);
    query.emplace_back("start", std::to_string(at.offset));
    query.emplace_back("limit", std::to_string(page_size_));
    query.emplace_back("sort", "desc");
    // Read in one pass into the page (no JSON tree); the call's value is null.
    Result<http::ListPage> page;
    Result<nlohmann::json> answer =
        Get(kListContainerInstances, http::BuildTarget(kInstancesPath, query),
            [&page](const http::HttpResponse& r) { return InterpretInstancePage(r, &page); });
    if (!answer) return std::unexpected(answer.error());
    if (!page) return std::unexpected(Fail(page.error(), kListContainerInstances));
    return page;
  };
  return http::FetchAllPages(Paged(kListContainerInstances), fetch);
}

Result<std::vector<Observed>> ScnetProvider::ListNotebooks(const std::string& name_filter) {
  auto fetch = [&](const http::PageRequest& at) -> Result<http::ListPage> {
    std::vector<std::pair<std::string, std::string>> query;
    if (!name_filter.empty()) query.emplace_back("notebookName", name_filter);
    query.emplace_back("page", std::to_string(at.number + 1));
    query.emplace_back("size", std::to_string(page_size_));
    Result<http::ListPage> page;
    Result<nlohmann::json> answer =
        Get(kListNotebooks, http::BuildTarget(kNotebookListPath, query),
            [&page](const http::HttpResponse& r) { return InterpretNotebookPage(r, &page); });
    if (!answer) return std::unexpected(answer.error());
    if (!page) return std::unexpected(Fail(page.error(), kListNotebooks));
    return page;
  };
  return http::FetchAllPages(Paged(kListNotebooks), fetch);
}

Result<std::vector<Observed>> ScnetProvider::List(ResourceKind kind) {
  switch (kind) {
    case ResourceKind::kContainerInstance:
      return ListInstances("");
    case ResourceKind::kNotebook:
      return ListNotebooks("");
    default:
      return std::unexpected(Unsupported(kListNotebooks, kind));
  }
}

Result<std::vector<Observed>> ScnetProvider::ListByName(ResourceKind kind,
                                                        const std::string& name) {
  Result<std::vector<Observed>> all;
  switch (kind) {
    case ResourceKind::kContainerInstance:
      all = ListInstances(name);
      break;
    case ResourceKind::kNotebook:
      all = ListNotebooks(name);
      break;
    default:
      return std::unexpected(Unsupported(kListNotebooks, kind));
  }
  if (!all) return all;
  return ExactMatches(std::move(*all), name);
}

Result<std::string> ScnetProvider::CreateContainerInstance(const ContainerInstanceCreate& req) {
  Result<nlohmann::json> data = Post(kCreateContainerInstance, http::CallKind::kCreate,
                                     kInstancesPath, CreateInstanceBody(req));
  if (!data) return std::unexpected(data.error());
  Result<std::string> id = ParseCreatedId(*data);
  if (!id) {
    Error e = Fail(id.error(), kCreateContainerInstance);
    e.outcome_unknown = true;
    return std::unexpected(std::move(e));
  }
  return id;
}

Result<std::string> ScnetProvider::CreateTiOneNotebook(const TiOneNotebookCreate&) {
  return std::unexpected(Unsupported("CreateNotebook", ResourceKind::kTiOneNotebook));
}

Status ScnetProvider::RestartContainerInstance(const std::string& id) {
  Result<nlohmann::json> data =
      Post(kRestartContainerInstance, http::CallKind::kMutate,
           http::BuildTarget(kRestartPath, {{"instanceServiceId", id}}), "");
  if (!data) return std::unexpected(data.error());
  return {};
}

Status ScnetProvider::StartNotebook(ResourceKind kind, const std::string& id) {
  if (kind != ResourceKind::kNotebook) return std::unexpected(Unsupported(kStartNotebook, kind));
  Result<nlohmann::json> data =
      Post(kStartNotebook, http::CallKind::kMutate, kNotebookStartPath, StartNotebookBody(id));
  if (!data) return std::unexpected(data.error());
  return {};
}

Status ScnetProvider::StopNotebook(ResourceKind kind, const std::string&) {
  Error e;
  e.category = Error::Category::kInvalid;
  e.message = "SCNet provider \"" + name_ + "\" cannot stop " +
              std::string(ResourceKindName(kind)) + " resources; only TI-ONE notebooks stop";
  return std::unexpected(Fail(std::move(e), "StopNotebook"));
}

Status ScnetProvider::StopContainerInstance(const std::string& id) {
  Result<nlohmann::json> data = Post(kStopContainerInstance, http::CallKind::kMutate,
                                     http::BuildTarget(kStopPath, {{"ids", id}}), "");
  if (!data) return std::unexpected(data.error());
  return {};
}

Status ScnetProvider::DeleteContainerInstance(const std::string& id) {
  Result<nlohmann::json> data =
      Post(kDeleteContainerInstance, http::CallKind::kMutate,
           http::BuildTarget(kInstancesPath, {{"ids", id}}), "", "DELETE");
  if (!data) return std::unexpected(data.error());
  return {};
}

Status ScnetProvider::DeleteNotebook(ResourceKind kind, const std::string&) {
  return std::unexpected(Unsupported("DeleteNotebook", kind));
}

Status ScnetProvider::ModifyTiOneNotebook(const std::string&, const TiOneNotebookCreate&) {
  return std::unexpected(Unsupported("ModifyNotebook", ResourceKind::kTiOneNotebook));
}

Status ScnetProvider::StartNotebookService(const std::string& notebook_id, int port,
                                           const std::string& command) {
  Result<nlohmann::json> data =
      Post(kStartNotebookService, http::CallKind::kMutate, kServiceStartPath,
           StartServiceBody(notebook_id, port, command));
  if (!data) return std::unexpected(data.error());
  Status started = ParseServiceStart(*data);
  if (!started) return std::unexpected(Fail(started.error(), kStartNotebookService));
  return {};
}

Result<Observed> ScnetProvider::GetContainerInstance(const std::string& id) {
  Result<nlohmann::json> data =
      Get(kGetContainerInstance,
          "/ai/openapi/v2/instance-service/" + http::UrlEncode(id) + "/detail", InterpretResponse);
  if (!data) return std::unexpected(data.error());
  Observed o = ParseInstance(*data);
  if (o.id.empty()) o.id = id;
  if (o.name.empty()) {
    return std::unexpected(
        Fail(http::ProtocolError("SCNet container-instance detail has no instanceServiceName"),
             kGetContainerInstance));
  }
  return o;
}

}  // namespace converge::cloud::scnet

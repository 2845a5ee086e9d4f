// SCNet wire format (README "Cloud clients"; examples in tests/fixtures/seeds/
// 000, 001, 003): paths, request bodies and the parsing of answers. Pure functions; no I/O.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cloud/error.h"
#include "cloud/http/api_caller.h"
#include "cloud/http/paging.h"
#include "cloud/provider.h"

namespace converge::cloud::scnet {

// Operation names (Error::operation and the metrics `operation` label).
inline constexpr char kListNotebooks[] = "ListNotebooks";
inline constexpr char kStartNotebook[] = "StartNotebook";
inline constexpr char kStartNotebookService[] = "StartNotebookService";
inline constexpr char kCreateContainerInstance[] = "CreateContainerInstance";
inline constexpr char kListContainerInstances[] = "ListContainerInstances";
inline constexpr char kGetContainerInstance[] = "GetContainerInstance";
inline constexpr char kRestartContainerInstance[] = "RestartContainerInstance";
inline constexpr char kStopContainerInstance[] = "StopContainerInstance";
inline constexpr char kDeleteContainerInstance[] = "DeleteContainerInstance";

inline constexpr char kInstancesPath[] = "/ai/openapi/v2/instance-service/task";
inline constexpr char kRestartPath[] = "/ai/openapi/v2/instance-service/task/actions/restart";
inline constexpr char kStopPath[] = "/ai/openapi/v2/instance-service/task/actions/stop";
inline constexpr char kNotebookListPath[] = "/ai/openapi/v2/notebook/list";
inline constexpr char kNotebookStartPath[] = "/ac/openapi/v2/notebook/actions/start";
inline constexpr char kServiceStartPath[] =
    "/ai/openapi/v2/notebook/customize-service/actions/start";

// Maps an SCNet code to an Error: 10001/10012/716020 kServer (retryable);
// 10003/10004/10010/10011 kInvalid; 10007/10008/10009 kAuth; anything else kRejected.
// The message is the cloud's msg (kAuth adds what to check).
Error ErrorForCode(const std::string& code, const std::string& msg, int http_status);

// One SCNet answer: `data` when code is "0" on a 2xx, else the Error (cloud code
// when present, else by HTTP status, else kProtocol).
http::Interpretation InterpretResponse(const http::HttpResponse& response);

// A list answer read in one pass, without a JSON tree (http/flat_json.h): the
// envelope's verdict as InterpretResponse gives it (its value null on success),
// and on success the page, as ParseInstancePage / ParseNotebookPage would parse
// the answer's data, in `*page`. The steady state's list sweeps use these.
http::Interpretation InterpretInstancePage(const http::HttpResponse& response,
                                           Result<http::ListPage>* page);
http::Interpretation InterpretNotebookPage(const http::HttpResponse& response,
                                           Result<http::ListPage>* page);

// Container-instance list data: {total, records[]} or {total, list[]} (or a bare
// array); total is data.total when reported. kProtocol when the shape is neither
// or an item lacks id or name.
Result<http::ListPage> ParseInstancePage(const nlohmann::json& data);
// Notebook list data: {total, records[]}, one notebook object (a page marked
// last), or null (empty).
Result<http::ListPage> ParseNotebookPage(const nlohmann::json& data);

// Observed values of one list item. Never copies sshPassword. Empty id or name
// when the item lacks them.
Observed ParseInstance(const nlohmann::json& item);
Observed ParseNotebook(const nlohmann::json& item);

// The create body of seed 003, field for field (containerPort as an int).
std::string CreateInstanceBody(const ContainerInstanceCreate& req);
// {"id", "command", "customizePort" (a string)} as the seed 001 table spells it.
std::string StartServiceBody(const std::string& notebook_id, int port, const std::string& command);
std::string StartNotebookBody(const std::string& notebook_id);

// The id in a create answer's data (a string, or a number). kProtocol otherwise.
Result<std::string> ParseCreatedId(const nlohmann::json& data);
// customize-service start data: ok when execSuccess is true; kRejected with the
// cloud's errorMsg when false; kProtocol when execSuccess is missing.
Status ParseServiceStart(const nlohmann::json& data);

}  // namespace converge::cloud::scnet

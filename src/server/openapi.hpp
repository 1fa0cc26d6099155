// The OpenAPI 3.1 document of the HTTP API (GET /api/openapi.json), generated from the registry: each
// capability's input schema (its command spec) and result schema, the jobs, uploads and files.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace panocarbon::server {

nlohmann::json openapi_document();
// "/api/mrio/accounts" for "mrio accounts".
std::string endpoint_of(const std::string& capability);

}  // namespace panocarbon::server

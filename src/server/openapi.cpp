#include "server/openapi.hpp"

#include <algorithm>

#include "panocarbon/provenance.hpp"
#include "panocarbon/registry.hpp"

namespace panocarbon::server {

std::string endpoint_of(const std::string& capability) {
  std::string p = "/api/" + capability;
  std::replace(p.begin(), p.end(), ' ', '/');
  return p;
}

namespace {
using nlohmann::json;

json ref(const char* name) { return {{"$ref", std::string("#/components/schemas/") + name}}; }

json error_responses() {
  json r = json::object();
  const std::pair<const char*, const char*> codes[] = {
      {"400", "Invalid input: bad JSON, an unknown field, a wrong type, a value out of bounds, a server path"},
      {"401", "No token, or a wrong one (servers started with --token)"},
      {"403", "A browser's request from another site's page, or to a name that is not this server's"},
      {"404", "Not found (an upload, a job, a named thing)"},
      {"413", "The body is larger than the server takes"},
      {"422", "The data is inconsistent"},
      {"500", "Internal error, I/O or database error"}};
  for (const auto& [code, what] : codes)
    r[code] = {{"description", what}, {"content", {{"application/json", {{"schema", ref("Error")}}}}}};
  return r;
}

json format_parameter() {
  return {{"name", "format"},
          {"in", "query"},
          {"required", false},
          {"description", "The rendering: json (default; the CLI's --format json), csv, table, xlsx"},
          {"schema", {{"type", "string"}, {"enum", output_formats()}, {"default", "json"}}}};
}

json rendered(const json& result_schema) {
  return {{"application/json", {{"schema", result_schema}}},
          {"text/csv", {{"schema", {{"type", "string"}}}}},
          {"text/plain", {{"schema", {{"type", "string"}}}}},
          {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           {{"schema", {{"type", "string"}, {"contentMediaType", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}}}}}};
}

json headers() {
  return {{"X-Panocarbon-Run-Id", {{"description", "The run's id in the run log"}, {"schema", {{"type", "integer"}}}}},
          {"X-Panocarbon-Warnings", {{"description", "Warnings, as a JSON array of strings"}, {"schema", {{"type", "string"}}}}},
          {"X-Panocarbon-Files",
           {{"description", "Files the run wrote, as a JSON array of download URLs"}, {"schema", {{"type", "string"}}}}}};
}
}  // namespace

json openapi_document() {
  json paths = json::object();
  auto simple_get = [&](const char* path, const char* summary, json schema) {
    paths[path]["get"] = {{"summary", summary},
                          {"operationId", std::string("get") + path},
                          {"tags", {"system"}},
                          {"responses", {{"200", {{"description", summary}, {"content", {{"application/json", {{"schema", schema}}}}}}}}}};
  };
  simple_get("/api/health", "Health: status, version, database",
             {{"type", "object"},
              {"properties", {{"status", {{"const", "ok"}}}, {"version", {{"type", "string"}}}, {"database", {{"type", "string"}}}}},
              {"required", {"status", "version", "database"}}});
  simple_get("/api/capabilities", "The registry: every capability with its input and result schemas",
             {{"type", "array"}, {"items", {{"type", "object"}}}});
  simple_get("/api/openapi.json", "This document", {{"type", "object"}});
  for (auto& [p, item] : paths.items()) {
    std::string id = p;
    std::replace(id.begin(), id.end(), '/', '_');
    std::replace(id.begin(), id.end(), '.', '_');
    item["get"]["operationId"] = "get" + id;
  }
  paths["/api/uploads"]["post"] = {
      {"summary", "Upload an input file; a path parameter then takes its id (upload:<hex>)"},
      {"operationId", "upload"},
      {"tags", {"system"}},
      {"parameters",
       {{{"name", "filename"}, {"in", "query"}, {"required", false},
         {"description", "The file's name (its extension tells the format) for a raw body"},
         {"schema", {{"type", "string"}}}}}},
      {"requestBody",
       {{"required", true},
        {"content",
         {{"application/octet-stream", {{"schema", {{"type", "string"}, {"contentMediaType", "application/octet-stream"}}}}},
          {"multipart/form-data",
           {{"schema", {{"type", "object"}, {"properties", {{"file", {{"type", "string"}, {"contentMediaType", "application/octet-stream"}}}}}}}}}}}}},
      {"responses", json{{"201", {{"description", "Stored"}, {"content", {{"application/json", {{"schema", ref("Upload")}}}}}}}}}};
  paths["/api/uploads"]["post"]["responses"].update(error_responses());
  paths["/api/jobs"]["post"] = {
      {"summary", "Start a long calculation as a job"},
      {"operationId", "startJob"},
      {"tags", {"system"}},
      {"requestBody",
       {{"required", true},
        {"content",
         {{"application/json",
           {{"schema",
             {{"type", "object"},
              {"properties", {{"capability", {{"type", "string"}}}, {"params", {{"type", "object"}}}}},
              {"required", {"capability"}},
              {"additionalProperties", false}}}}}}}}},
      {"responses", json{{"202", {{"description", "Queued"}, {"content", {{"application/json", {{"schema", ref("Job")}}}}}}}}}};
  paths["/api/jobs"]["post"]["responses"].update(error_responses());
  paths["/api/jobs"]["get"] = {
      {"summary", "The jobs of this server"},
      {"operationId", "listJobs"},
      {"tags", {"system"}},
      {"responses",
       {{"200",
         {{"description", "The jobs"},
          {"content", {{"application/json", {{"schema", {{"type", "object"}, {"properties", {{"jobs", {{"type", "array"}, {"items", ref("Job")}}}}}}}}}}}}}}}};
  const json job_id = {{"name", "id"}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}};
  paths["/api/jobs/{id}"]["get"] = {
      {"summary", "A job: status, progress, run id, result when done, error when failed"},
      {"operationId", "getJob"},
      {"tags", {"system"}},
      {"parameters", {job_id}},
      {"responses", json{{"200", {{"description", "The job"}, {"content", {{"application/json", {{"schema", ref("Job")}}}}}}}}}};
  paths["/api/jobs/{id}"]["get"]["responses"].update(error_responses());
  paths["/api/jobs/{id}"]["delete"] = {
      {"summary", "Cancel a job (it stops at its next progress report)"},
      {"operationId", "cancelJob"},
      {"tags", {"system"}},
      {"parameters", {job_id}},
      {"responses", json{{"202", {{"description", "Cancel requested"}, {"content", {{"application/json", {{"schema", ref("Job")}}}}}}}}}};
  paths["/api/jobs/{id}"]["delete"]["responses"].update(error_responses());
  paths["/api/files/{run}/{name}"]["get"] = {
      {"summary", "A file written by a run (capabilities that write files)"},
      {"operationId", "getFile"},
      {"tags", {"system"}},
      {"parameters",
       {{{"name", "run"}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}},
        {{"name", "name"}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}}}},
      {"responses", json{{"200", {{"description", "The file"}, {"content", {{"application/octet-stream", {{"schema", {{"type", "string"}}}}}}}}}}}};
  paths["/api/files/{run}/{name}"]["get"]["responses"].update(error_responses());
  paths["/api/chat"]["post"] = {
      {"summary", "Ask a question in English or Chinese: the agents plan, run the tools and answer, citing each result"},
      {"description",
       "The conversational layer (docs/chat.md) with this server's database, data folder (serve --data) and model "
       "(serve --model-url; none: the deterministic planner). Every number in the answer comes from a tool "
       "result, cited [n]. A question back (clarify not empty) ran nothing: send the reply as the next question "
       "with the earlier turns in history. The client names no model, path or database."},
      {"operationId", "chat"},
      {"tags", {"chat"}},
      {"requestBody", {{"required", true}, {"content", {{"application/json", {{"schema", ref("ChatRequest")}}}}}}},
      {"responses", json{{"200", {{"description", "The answer"}, {"content", {{"application/json", {{"schema", ref("ChatAnswer")}}}}}}}}}};
  paths["/api/chat"]["post"]["responses"].update(error_responses());

  for (const auto& c : describe_capabilities()) {
    if (c.value("local_only", false)) continue;  // not served (Capability::local_only)
    const std::string name = c["name"];
    const json& in = c["input_schema"];
    json query = json::array();
    for (const auto& [k, prop] : in["properties"].items()) {
      json s = prop;
      const std::string d = s.value("description", "");
      s.erase("description");
      json q = {{"name", k}, {"in", "query"}, {"required", false}, {"schema", s}};
      if (!d.empty()) q["description"] = d;
      for (const auto& r : in["required"])
        if (r == k) q["required"] = true;
      if (s.value("type", "") == "array") {
        q["style"] = "form";
        q["explode"] = true;
      }
      query.push_back(q);
    }
    query.push_back(format_parameter());
    json ok = {{"description", c["summary"]}, {"headers", headers()}, {"content", rendered(c["result_schema"])}};
    json responses = {{"200", ok}};
    responses.update(error_responses());
    const std::string tool = c["tool"];
    json input = in;
    input.erase("title");
    paths[endpoint_of(name)] = {
        {"get",
         {{"summary", c["summary"]},
          {"description", c["description"]},
          {"operationId", tool + "_get"},
          {"tags", {c["domain"]}},
          {"parameters", query},
          {"responses", responses}}},
        {"post",
         {{"summary", c["summary"]},
          {"description", c["description"]},
          {"operationId", tool},
          {"tags", {c["domain"]}},
          {"parameters", {format_parameter()}},
          {"requestBody", {{"required", false}, {"content", {{"application/json", {{"schema", input}}}}}}},
          {"responses", responses}}}};
  }

  json schemas = {
      {"Error",
       {{"type", "object"},
        {"properties",
         {{"error",
           {{"type", "object"},
            {"properties",
             {{"category", {{"type", "string"}, {"description", "invalid input, not found, unit, data, I/O, database, internal, unauthorized"}}},
              {"message", {{"type", "string"}}},
              {"field", {{"type", {"string", "null"}}}},
              {"line", {{"type", "integer"}}}}},
            {"required", {"category", "message", "field"}}}}}},
        {"required", {"error"}}}},
      {"Upload",
       {{"type", "object"},
        {"properties",
         {{"id", {{"type", "string"}, {"pattern", "^upload:[0-9a-f]+$"}}},
          {"filename", {{"type", "string"}}},
          {"bytes", {{"type", "integer"}}},
          {"sha256", {{"type", "string"}}}}},
        {"required", {"id", "bytes", "sha256"}}}},
      {"Job",
       {{"type", "object"},
        {"properties",
         {{"id", {{"type", "string"}}},
          {"capability", {{"type", "string"}}},
          {"status", {{"enum", {"queued", "running", "done", "failed", "cancelled"}}}},
          {"progress",
           {{"type", "object"},
            {"properties", {{"label", {{"type", "string"}}}, {"done", {{"type", "integer"}}}, {"total", {{"type", "integer"}}}}}}},
          {"run_id", {{"type", {"integer", "null"}}}},
          {"result", {{"description", "The capability's JSON rendering, when done"}}},
          {"error", {{"anyOf", {{{"type", "null"}}, {{"type", "object"}}}}}},
          {"files", {{"type", "array"}, {"items", {{"type", "string"}}}}},
          {"warnings", {{"type", "array"}, {"items", {{"type", "string"}}}}}}},
        {"required", {"id", "status"}}}}};
  // POST /api/chat (src/server/chat_endpoint.cpp)
  const json step = {
      {"type", "object"},
      {"properties",
       {{"agent", {{"enum", {"process", "trade", "lca", "natural", "uncertainty"}}}},
        {"tool", {{"type", "string"}, {"description", "The capability, as GET /api/capabilities names it"}}},
        {"arguments", {{"type", "object"}}},
        {"why", {{"type", "string"}}}}},
      {"required", {"agent", "tool"}}};
  const json steps = {{"type", "array"}, {"items", ref("ChatStep")}};
  json plan_parts = {{"type", "object"}};
  plan_parts["properties"] = {{"plan", steps},
                              {"clarify", {{"type", {"string", "null"}}}},
                              {"language", {{"enum", {"en", "zh"}}}},
                              {"intent", {{"type", {"string", "null"}}}},
                              {"slots", {{"type", {"object", "null"}}}}};
  json turn = {{"type", "object"}, {"required", {"question"}}, {"additionalProperties", false}};
  turn["properties"] = {{"question", {{"type", "string"}, {"minLength", 1}}},
                        {"plan", {{"anyOf", json::array({steps, plan_parts})}}}};
  json request = {{"type", "object"}, {"required", {"question"}}, {"additionalProperties", false}};
  request["properties"] = {
      {"question", {{"type", "string"}, {"minLength", 1}, {"maxLength", 4000}}},
      {"history",
       {{"type", "array"},
        {"maxItems", 50},
        {"description", "The earlier turns, oldest first: each question with the answer the server gave to it (its "
                        "plan, clarify, language, intent and slots are read)"},
        {"items", turn}}}};
  json answer = {{"type", "object"}, {"required", {"answer", "plan", "results", "citations"}}};
  answer["properties"] = {
      {"answer", {{"type", "string"}, {"description", "The answer, citing [1], [2] ... the citations"}}},
      {"plan", steps},
      {"results", {{"type", "array"}, {"description", "Each step's result: the registry's JSON rendering, run id, error"}}},
      {"citations", {{"type", "array"}, {"items", {{"type", "object"}, {"description", "{capability, dataset, source, run_id, version}"}}}}},
      {"clarify", {{"type", "string"}, {"description", "Not empty: a question back; nothing ran"}}},
      {"language", {{"enum", {"en", "zh"}}}},
      {"intent", {{"type", "string"}}},
      {"slots", {{"type", "object"}}},
      {"planner", {{"type", "string"}, {"description", "deterministic, or model:NAME"}}},
      {"warnings", {{"type", "array"}, {"items", {{"type", "string"}}}}},
      {"files", {{"type", "array"}, {"items", {{"type", "string"}}}}}};
  schemas["ChatStep"] = step;
  schemas["ChatRequest"] = request;
  schemas["ChatAnswer"] = answer;
  return {{"openapi", "3.1.0"},
          {"info",
           {{"title", "panocarbon"},
            {"version", version()},
            {"summary", "Panoramic carbon accounting over HTTP"},
            {"description",
             "Every capability of panocarbon's registry as GET (query parameters) and POST (a JSON body) under "
             "/api/, answering with the CLI's rendering (?format=json|csv|table|xlsx). Input files are uploads "
             "(POST /api/uploads, then upload:<hex>); long calculations run as jobs. See docs/api.md."}}},
          {"servers", {{{"url", "/"}}}},
          {"paths", paths},
          {"components",
           {{"schemas", schemas},
            {"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}, {"description", "Needed when the server was started with a token (--token, PANOCARBON_TOKEN)"}}}}}}},
          {"security", {json::object(), {{"bearer", json::array()}}}},
          {"tags", {{{"name", "system"}}, {{"name", "chat"}}, {{"name", "inventory"}}, {{"name", "trade"}}, {{"name", "lca"}}, {{"name", "natural"}}, {{"name", "uncertainty"}}, {{"name", "process"}}, {{"name", "reference"}}}}};
}

}  // namespace panocarbon::server

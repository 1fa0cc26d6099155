// POST /api/chat of `panocarbon serve` (docs/api.md "Chat"): a question in English or Chinese answered by the
// conversational layer (include/panocarbon/agents.hpp) with the server's data, database and model. The client
// sends the question and the earlier turns; it names no model, no path and no database: those are the server's.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "panocarbon/agents.hpp"
#include "panocarbon/registry.hpp"
#include "panocarbon/server.hpp"

namespace panocarbon::server {

// A validated request: {"question": "...", "history": [{"question": "...", "plan": {...}}]}.
struct ChatRequest {
  std::string question;
  std::vector<agents::Turn> history;
};

constexpr size_t kMaxQuestionBytes = 4000;
constexpr size_t kMaxHistoryTurns = 50;

// Throws Error{InvalidInput} naming the field ("question", "history[1].plan.plan[0].tool", "model_url") and what
// to send instead. A turn's plan is the answer the server gave to it ({plan, clarify, language, intent, slots};
// the whole answer object is accepted, its text, results, steps and citations are not read) or its list of steps.
ChatRequest parse_chat_request(const nlohmann::json& body);

// The chat's options from the server's: the data folder (Options::data, else agents::default_data_dir()), the
// model (Options::model_url, model, model_key), and the folders its runs may read: the data folder and the
// server's files folder (`files`), nothing else.
agents::ChatOptions chat_options(const Options& options, const std::filesystem::path& files);

// Lets a chat's runs read files inside `roots` (the paths the planner fills from the data folder), and uploads
// ("upload:<hex>") through the context's own readers; any other path is refused with an error naming the option.
void allow_paths_in(Context& ctx, const std::vector<std::filesystem::path>& roots);

// Whether `p` lies inside one of `roots` once symbolic links and ".." are resolved.
bool inside_roots(const std::filesystem::path& p, const std::vector<std::filesystem::path>& roots);

// The turn: agents::ask() with the context the server lends, answered as agents::to_json() of the answer, with
// the plan's intent and slots (which a reply sends back in its history).
nlohmann::json answer_chat(const ChatRequest& request, Context& ctx, const agents::ChatOptions& options);

}  // namespace panocarbon::server

// The conversational layer (src/agents, docs/chat.md): five specialist agents over the registry of
// capabilities, a planner that routes a question to their tools and fills the arguments, an executor that
// runs the plan through run_capability(), a composer that writes the answer citing every tool result, and a
// verifier that rejects an answer holding a number no tool result gave. Every number in an answer comes from
// a tool result. The planner is deterministic (English and Chinese, no model weights) unless a model
// endpoint (any OpenAI-compatible /v1/chat/completions with tool calling) is configured; on any failure of
// the model path the deterministic planner answers.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "panocarbon/registry.hpp"

namespace panocarbon::agents {

// The five specialist agents. Each owns the capabilities of its domains:
//   process      Domain::Process, Domain::Inventory (plants, sectors, IPCC inventories, later CBAM)
//   trade        Domain::Trade (MRIO accounts, the ledger, trade carbon transfer)
//   lca          Domain::Lca (databases, product footprints)
//   natural      Domain::Natural (sinks, fire, methane, AFOLU)
//   uncertainty  Domain::Uncertainty (Monte Carlo, sensitivity)
// Domain::Reference (factors, GWP) is shared by all; Domain::System and local_only capabilities belong to none.
enum class Agent { Process, Trade, Lca, Natural, Uncertainty };
const char* to_string(Agent a) noexcept;  // "process", "trade", "lca", "natural", "uncertainty"
Agent agent_from_string(std::string_view s);  // Error{InvalidInput} naming the five

struct AgentInfo {
  Agent id;
  std::string title;        // "Trade carbon transfer"
  std::string description;  // the system description: what it can answer, from which data
  std::vector<std::string> tools;  // capability names it owns (registry order)
};
const std::vector<AgentInfo>& agents();
// The agent a capability belongs to; nullopt for System/local_only capabilities.
std::optional<Agent> agent_of(const Capability& c);

// An argument that takes a value from an earlier step's result: {"from_step": i, "pointer": "/hits/0/ref"}
// (i counts from 0; pointer is a JSON Pointer into that step's result JSON). Every other argument value is
// the JSON value of the option (what Params takes: string, number, bool, array for repeatable options).
struct Step {
  Agent agent = Agent::Trade;
  std::string tool;          // capability name, "account", "lca calc"
  nlohmann::json arguments = nlohmann::json::object();  // option name -> value
  std::string why;           // one line for the person: why this step
};

struct Plan {
  std::vector<Step> steps;
  std::string clarify;       // not empty: a question back to the person (which year? which database?); no steps run
  std::string language = "en";  // "en" or "zh": the language of the question, and of the answer
  std::string intent;        // e.g. "trade.consumption", "lca.footprint", "natural.sink"; "unknown" when none
  nlohmann::json slots = nlohmann::json::object();  // what was recognised: country, year, product, database, ...
};

// What the planner may know without running anything: the data the person has.
struct Knowledge {
  std::vector<std::string> lca_databases;  // names stored by `lca import`
  std::vector<int> ledger_years;           // years the ledger holds (empty: no ledger yet; the default is loaded)
  std::vector<std::string> ledger_sources; // "gcb2019", "wiod2013-co2/2009", ...
  std::filesystem::path data_dir;          // folder like ../shared/data (mrio/, lca/, natural/, national/); may be empty
  // The source tree's examples/ folder (the shipped route models examples/process/routes/, the avoided-emissions
  // example examples/avoided/); may be empty (an installed binary without its sources).
  std::filesystem::path examples_dir;
};
// From the database (when open) and the data folder: --data, else $PANOCARBON_DATA, else ../shared/data
// beside the source tree when it exists, else none.
Knowledge discover(Store* store, const std::filesystem::path& data_dir);
std::filesystem::path default_data_dir();
// The examples/ folder of the source tree (found from the executable, or the current folder when it is the source
// folder); empty when there is none.
std::filesystem::path default_examples_dir();

// The earlier turns of a conversation (for a reply to a question back: "2009" after "which year?").
struct Turn {
  std::string question;
  Plan plan;
};

// The deterministic planner: intent and slot recognition in English and Chinese; country names, ISO codes and
// Chinese names from data (data/iso3166.csv, data/country_names_zh.csv). Pure: runs nothing.
Plan plan_question(const std::string& question, const Knowledge& k, const std::vector<Turn>& history = {});

struct StepResult {
  Step step;                  // with from_step arguments resolved
  nlohmann::json result;      // the registry's JSON rendering (null when the step failed)
  std::string error;          // the error message when it failed
  int64_t run_id = 0;
  nlohmann::json citation;    // {capability, dataset, source, run_id, version}
};

struct Answer {
  std::string text;           // the answer for the person, citing [1], [2] ... the citations
  Plan plan;
  std::vector<StepResult> results;
  nlohmann::json citations = nlohmann::json::array();
  std::string planner = "deterministic";  // or "model:NAME"
  std::vector<std::string> warnings;      // model fallback, verifier rejections
};
// {answer, plan: [{agent, tool, arguments}], results: [...], citations, clarify, language, planner, warnings}
nlohmann::json to_json(const Answer& a);

// Runs the capabilities of a plan: the front end lends the Context (how inputs are read, the store). A Path
// argument must lie inside `allowed_roots` when that is not empty (the server; a model's tool call names no
// other file). A failed step is recorded and later steps that need it are skipped.
std::vector<StepResult> execute(const Plan& plan, Context& ctx, const std::vector<std::filesystem::path>& allowed_roots = {});

// The answer text from the results (language of the plan), every number formatted from a result.
std::string compose(const Plan& plan, const std::vector<StepResult>& results);

// The numbers in `text` that no tool result holds (after unit and rounding formatting; years, step numbers
// and numbers in the question are allowed). Empty: the answer passes.
std::vector<std::string> unsupported_numbers(const std::string& text, const std::string& question,
                                             const std::vector<StepResult>& results);

struct ModelOptions {
  std::string url;     // base URL of an OpenAI-compatible server (http://127.0.0.1:8081 or .../v1); empty: none
  std::string model;   // model name
  std::string api_key; // optional bearer key ($PANOCARBON_MODEL_KEY)
  int timeout_s = 120;
  int max_rounds = 6;  // tool-call rounds before giving up
};

struct ChatOptions {
  ModelOptions model;
  std::filesystem::path data_dir;              // see discover()
  std::vector<std::filesystem::path> allowed_roots;  // see execute()
};

// The whole turn: plan (model, else deterministic), execute, compose, verify. Never throws for a question it
// cannot answer: the answer says what is missing (data to import, a choice to make).
Answer ask(const std::string& question, Context& ctx, const ChatOptions& options, const std::vector<Turn>& history = {});

}  // namespace panocarbon::agents

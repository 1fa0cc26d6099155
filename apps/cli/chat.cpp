// `panocarbon chat "QUESTION"`: one answer (text, or one JSON object with --format json); without a question,
// an interactive session that keeps the conversation (a reply to a question back continues it) and a history
// file. The agents do the work (panocarbon/agents.hpp); this file lends them a Context like the CLI's.
#include "chat.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

#include "panocarbon/agents.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/provenance.hpp"
#include "panocarbon/registry.hpp"
#include "panocarbon/store.hpp"

namespace panocarbon::cli {
namespace fs = std::filesystem;
namespace ag = panocarbon::agents;

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

Store& chat_store(const fs::path& path) {
  static std::unique_ptr<Store> store;
  if (!store) store = std::make_unique<Store>(Store::open(path));
  return *store;
}

// Where the runs of one answer write their files (a footprint study's report): a new folder under
// panocarbon-chat/ beside the database.
fs::path answer_folder(const fs::path& db) {
  const fs::path base = (db.has_parent_path() ? db.parent_path() : fs::current_path()) / "panocarbon-chat";
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  for (int k = 0;; ++k) {
    fs::path p = base / (k == 0 ? fmt::format("{}-{}", stamp, getpid()) : fmt::format("{}-{}-{}", stamp, getpid(), k));
    if (!fs::exists(p)) return p;
  }
}

// The history file: beside the database when --db names one, else $XDG_STATE_HOME/panocarbon/chat_history
// (~/.local/state when unset).
fs::path history_file(const Params& params) {
  if (params.has("db")) return fs::path(params.str("db")).parent_path() / "chat_history";
  std::string state = env("XDG_STATE_HOME");
  if (state.empty()) {
    const std::string home = env("HOME");
    if (home.empty()) return {};
    state = (fs::path(home) / ".local" / "state").string();
  }
  return fs::path(state) / "panocarbon" / "chat_history";
}

void print_text(const ag::Answer& a, std::ostream& out) {
  out << a.text << "\n";
  bool header = false;
  for (const auto& c : a.citations) {
    if (c.value("status", "ok") != "ok") continue;
    if (!header) out << (a.plan.language == "zh" ? "\n来源：\n" : "\nSources:\n"), header = true;
    const std::string dataset = c.value("dataset", "");
    std::string runs;
    if (c.contains("data_runs") && c["data_runs"].is_array() && !c["data_runs"].empty())
      runs = fmt::format(fmt::runtime(a.plan.language == "zh" ? "，数据来自运行 {}" : ", data from run {}"), fmt::join(c["data_runs"].get<std::vector<int64_t>>(), ", "));
    out << fmt::format("  [{}] {}{}{}{}{}\n", c.value("n", 0), c.value("capability", ""),
                       dataset.empty() ? std::string() : fmt::format(" — {}", dataset),
                       c.value("run_id", 0) ? fmt::format(", run {}", c.value("run_id", 0)) : std::string(),
                       runs, c.value("version", "").empty() ? std::string() : fmt::format(", panocarbon {}", c.value("version", "")));
  }
}

}  // namespace

int run_chat(const Params& params) {
  const std::string format = params.has("format") ? params.str("format") : "text";
  ag::ChatOptions options;
  options.model.url = params.has("model-url") ? params.str("model-url") : env("PANOCARBON_MODEL_URL");
  options.model.model = params.has("model") ? params.str("model") : env("PANOCARBON_MODEL");
  options.model.api_key = env("PANOCARBON_MODEL_KEY");
  if (params.has("data")) {
    const fs::path d = params.str("data");
    if (d.empty() || !fs::is_directory(d))
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("--data '{}' is not a folder; give the folder of datasets (mrio/, lca/, natural/, national/ "
                              "as in ../shared/data)",
                              d.string()),
                  ErrorContext{d.string(), 0, 0, "data"});
    options.data_dir = d;
  }
  if (params.has("db") && params.str("db").empty())
    throw Error(ErrorCategory::InvalidInput,
                "option --db is empty; give the database file (--db FILE), or leave --db out for the default location",
                ErrorContext{{}, 0, 0, "db"});
  const fs::path db = params.has("db") ? fs::path(params.str("db")) : Store::default_path();

  Context ctx;
  ctx.read_input = [](const std::string&, const std::string& value) { return read_file(value); };
  ctx.locate_input = [](const std::string&, const std::string& value) { return fs::path(value); };
  auto folder = std::make_shared<fs::path>();
  ctx.output_dir = [folder, db]() {
    if (folder->empty()) *folder = answer_folder(db);
    fs::create_directories(*folder);
    return *folder;
  };
  ctx.store_location = db;
  ctx.open_store = [db]() -> Store& { return chat_store(db); };
  ctx.progress = false;

  auto answer = [&](const std::string& question, const std::vector<ag::Turn>& history) {
    folder->clear();  // each answer writes into a folder of its own
    const ag::Answer a = ag::ask(question, ctx, options, history);
    for (const auto& w : a.warnings) fmt::print(stderr, "warning: {}\n", w);
    if (format == "json") std::cout << ag::to_json(a).dump(2) << "\n";
    else print_text(a, std::cout);
    std::cout.flush();
    return a;
  };

  if (params.has("question")) {
    const std::string q = params.str("question");
    if (q.find_first_not_of(" \t\r\n") == std::string::npos)
      throw Error(ErrorCategory::InvalidInput,
                  "the question is empty; ask something (panocarbon chat \"What is China's consumption-side CO2 in "
                  "2009?\"), or leave it out for an interactive session",
                  ErrorContext{{}, 0, 0, "question"});
    answer(q, {});
    return 0;
  }

  // The interactive session: one question per line; `:quit` or end of input ends it.
  const bool terminal = isatty(fileno(stdin)) != 0;
  const fs::path hist = history_file(params);
  std::ofstream hist_out;
  if (!hist.empty()) {
    std::error_code ec;
    fs::create_directories(hist.parent_path(), ec);
    hist_out.open(hist, std::ios::app);
    if (!hist_out) fmt::print(stderr, "warning: cannot write the chat history to {}\n", hist.string());
  }
  if (terminal)
    fmt::print("panocarbon chat: ask in English or Chinese; a reply to a question back continues the conversation; "
               ":quit ends{}\n",
               hist.empty() ? std::string() : fmt::format(" (history: {})", hist.string()));
  std::vector<ag::Turn> history;
  std::string line;
  while (true) {
    if (terminal) {
      std::cout << "panocarbon> " << std::flush;
    }
    if (!std::getline(std::cin, line)) break;
    const auto b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos) continue;
    line = line.substr(b, line.find_last_not_of(" \t\r") - b + 1);
    if (line == ":quit" || line == ":q" || line == ":exit") break;
    if (hist_out) hist_out << line << "\n" << std::flush;
    const ag::Answer a = answer(line, history);
    history.push_back({line, a.plan});
    if (format == "text") std::cout << "\n";
  }
  return 0;
}

}  // namespace panocarbon::cli

// The `lca montecarlo` command of the CLI (the other `lca` commands are registry entries:
// src/capabilities/lca_entries.cpp).
#include <fmt/format.h>

#include <iostream>
#include <map>

#include "cli.hpp"
#include "panocarbon/format.hpp"
#include "panocarbon/lca_capabilities.hpp"

namespace pc = panocarbon;

namespace cli {

void add_lca_handlers(std::map<std::string, Handler>& h) {
  h["lca montecarlo"] = [](const pc::Params& p) {
    nlohmann::json j = pc::lca_montecarlo(store_for(p), p, stderr_is_terminal());
    const nlohmann::json timing = j["_timing"];
    j.erase("_timing");
    const double secs = timing["draws_s"].get<double>();
    const uint64_t draws = j["setup"]["draws"].get<uint64_t>();
    // timings on stderr only: standard output is the same bytes for any --threads and MPI ranks
    fmt::print(stderr, "lca montecarlo: {} draws in {:.3f} s ({:.1f} draws/s), {} refactorisations fell back to a full "
               "factorisation\n", draws, secs, secs > 0 ? double(draws) / secs : 0.0,
               timing["refactor_fallbacks"].get<size_t>());
    const std::string format = p.str("format");
    if (format == "json") {
      std::cout << j.dump(2) << '\n';
      return;
    }
    const auto num = [](const nlohmann::json& v) { return fmt::format("{}", v.get<double>()); };
    if (format == "csv") {
      fmt::print("category,unit,deterministic,mean,sd,median,p2_5,p97_5\n");
      for (const auto& c : j["categories"])
        fmt::print("{},{},{},{},{},{},{},{}\n", pc::csv_field(c["category"].get<std::string>()),
                   pc::csv_field(c["unit"].get<std::string>()), num(c["deterministic"]), num(c["mean"]), num(c["sd"]),
                   num(c["median"]), num(c["p2_5"]), num(c["p97_5"]));
      return;
    }
    const auto& fu = j["functional_unit"];
    const auto& u = j["uncertainty"];
    fmt::print("database {}: functional unit {} {} of '{}' from '{}' ({})\n", j["database"].get<std::string>(),
               num(fu["amount"]), fu["unit"].get<std::string>(), fu["product"].get<std::string>(),
               fu["process"].get<std::string>(), fu["location"].get<std::string>());
    std::string origins;
    for (const auto& [k, n] : u["by_distribution"].items()) origins += fmt::format("{}{} {}", origins.empty() ? "" : ", ", k, n.get<size_t>());
    fmt::print("method {}; {} draws, seed {}; {} uncertain exchanges ({}), pedigree convention {}\n",
               j["method"].get<std::string>(), draws, j["setup"]["seed"].get<uint64_t>(), u["parameters"].get<size_t>(),
               origins.empty() ? "none" : origins, j["pedigree"].get<std::string>());
    if (u["notes"].get<size_t>() > 0)
      fmt::print("{} distributions were repaired or not sampled (see --format json), e.g. {}\n", u["notes"].get<size_t>(),
                 u["notes_first"][0].get<std::string>());
    fmt::print("\n{:<12} {:<10} {:>14} {:>14} {:>14} {:>14} {:>14} {:>14}\n", "category", "unit", "deterministic", "mean",
               "sd", "median", "p2.5", "p97.5");
    for (const auto& c : j["categories"])
      fmt::print("{:<12} {:<10} {:>14} {:>14} {:>14} {:>14} {:>14} {:>14}\n", c["category"].get<std::string>(),
                 c["unit"].get<std::string>(), num(c["deterministic"]),
                 num(c["mean"]), num(c["sd"]),
                 num(c["median"]), num(c["p2_5"]),
                 num(c["p97_5"]));
    for (const auto& c : j["categories"]) {
      if (c["contributions"].empty()) continue;
      fmt::print("\ncontribution to the variance of {} (squared Spearman rank correlation, normalised to 100 % over "
                 "{} screened exchanges):\n", c["category"].get<std::string>(), c["screened_parameters"].get<size_t>());
      fmt::print("  {:>7}  {:>7}  {}\n", "share %", "rho", "process (location): exchange with the largest rho");
      for (const auto& k : c["contributions"])
        fmt::print("  {:>7.2f}  {:>7.3f}  {} ({}): {} [{}]\n", k["share_pct"].get<double>(), k["rho"].get<double>(),
                   k["process"].get<std::string>(), k["location"].get<std::string>(),
                   k["top_exchange"].get<std::string>(), k["top_distribution"].get<std::string>());
    }
  };
}

}  // namespace cli

// Internal to the product carbon footprint (not installed): what its four files share. The study parser
// (src/io/footprint_study.cpp), the analysis (footprint.cpp), the PACT output (footprint_pact.cpp) and the report
// (footprint_report.cpp) are stages of make_footprint(): analyse -> make_pact -> make_document -> render.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "panocarbon/lca.hpp"
#include "panocarbon/lca_footprint.hpp"

namespace panocarbon::lca::detail {

inline constexpr const char* kPactSpecVersion = "2.2.0";

// ---- text helpers (footprint.cpp, but num: footprint_report.cpp) ------------------------------------------
std::string lower(std::string s);
std::string trim(const std::string& s);
std::string join(const std::vector<std::string>& v, const std::string& sep);
// Four significant digits, fixed notation where that stays readable.
std::string num(double v);
// What an allocation method does, in words (the report and the PACT allocationRulesDescription).
std::string alloc_description(AllocationMethod m);

// ---- the study file (src/io/footprint_study.cpp) and the PACT vocabulary (footprint_pact.cpp) ---------------
// "YYYY-MM-DD" (a valid calendar date)
bool is_date(const std::string& s);
// The UN M49 regions and subregions PACT accepts as geographyRegionOrSubregion.
const std::vector<std::string>& pact_regions();

// ---- the analysis (footprint.cpp) ----------------------------------------------------------------------------
// GWP figures of one result, kg CO2e.
struct Split {
  double total = 0, fossil = 0, biogenic = 0, luc = 0;
  double bio_co2_emissions = 0, bio_co2_removals = 0, bio_other = 0;
  double excluding_biogenic_co2() const { return total - bio_co2_emissions - bio_co2_removals; }
  double fossil_and_luc() const { return fossil + luc; }
  nlohmann::json to_json() const {
    return {{"total", total},
            {"fossil", fossil},
            {"biogenic", biogenic},
            {"luc", luc},
            {"biogenic_co2_emissions", bio_co2_emissions},
            {"biogenic_co2_removals", bio_co2_removals},
            {"biogenic_other", bio_other},
            {"excluding_biogenic_co2", excluding_biogenic_co2()},
            {"fossil_and_luc", fossil_and_luc()},
            {"unallocated", total - fossil - biogenic - luc}};
  }
};

// A Split as the analysis stores it (Split::to_json).
Split split_of(const nlohmann::json& j);

// Solves the study and collects everything the report shows (numbers unrounded).
nlohmann::json analyse(const Study& study, const Database& db, const Method& method);

// ---- PACT output (footprint_pact.cpp) ------------------------------------------------------------------------
// The PACT ProductFootprint of the product demand (cradle-to-gate), per declared unit; records the figures,
// the missing mandatory fields and the notes in data["pact"].
nlohmann::json make_pact(const Study& study, const Database& db, const Method& method, nlohmann::json& data);

// ---- the report (footprint_report.cpp) -----------------------------------------------------------------------
// ---- the document model: sections of paragraphs, lists, tables and bar charts, rendered twice ----------
struct Table {
  std::vector<std::string> head;
  std::vector<bool> numeric;  // right-aligned columns
  std::vector<std::vector<std::string>> rows;
};
struct Bar {
  std::string label, value;
  double share = 0;  // signed fraction of the largest |value|
};
struct Block {
  enum Kind { Para, List, Tab, Bars } kind = Para;
  std::string text;
  std::vector<std::string> items;
  Table table;
  std::vector<Bar> bars;
};
struct Section {
  std::string title;
  int level = 2;
  std::vector<Block> blocks;
  Section& para(std::string t) {
    blocks.push_back({Block::Para, std::move(t), {}, {}, {}});
    return *this;
  }
  Section& list(std::vector<std::string> items) {
    blocks.push_back({Block::List, {}, std::move(items), {}, {}});
    return *this;
  }
  Section& table(Table t) {
    blocks.push_back({Block::Tab, {}, {}, std::move(t), {}});
    return *this;
  }
  Section& bars(std::vector<Bar> b) {
    blocks.push_back({Block::Bars, {}, {}, {}, std::move(b)});
    return *this;
  }
};

// The report as sections, from the analysis and the PACT footprint.
std::vector<Section> make_document(const Study& study, const nlohmann::json& data, const nlohmann::json& pact);
std::string render_markdown(const std::string& title, const std::vector<Section>& doc);
std::string render_html(const std::string& title, const std::vector<Section>& doc);

}  // namespace panocarbon::lca::detail

// Product carbon footprint: the report as a document model (sections of paragraphs, lists, tables and bar
// charts) built from the analysis and the PACT footprint, rendered as Markdown and as self-contained HTML.
#include <algorithm>
#include <cmath>
#include <iterator>

#include <fmt/format.h>

#include "lca/footprint_internal.hpp"
#include "panocarbon/lca.hpp"
#include "panocarbon/lca_footprint.hpp"

namespace panocarbon::lca {

using namespace detail;

namespace {
using nlohmann::json;

// Text in Markdown: '<' and '>' as entities (no raw HTML from the study or the data), '|' escaped in tables.
std::string md_text(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '<') o += "&lt;";
    else if (c == '>') o += "&gt;";
    else o += c;
  }
  return o;
}
std::string md_cell(const std::string& s) {
  std::string o;
  for (char c : md_text(s)) {
    if (c == '|') o += "\\|";
    else if (c == '\n' || c == '\r') o += ' ';
    else o += c;
  }
  return o;
}

// Amounts: up to six significant digits, no trailing zeros.
std::string qty(double v) { return fmt::format("{:.6g}", v); }
std::string pct(double fraction) { return std::isfinite(fraction) ? fmt::format("{:.1f} %", fraction * 100) : "n/a"; }

}  // namespace

std::string html_escape(const std::string& s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&#39;"; break;
      default: o += c;
    }
  }
  return o;
}

std::string detail::render_markdown(const std::string& title, const std::vector<Section>& doc) {
  std::string o = "# " + md_text(title) + "\n\n";
  for (const auto& s : doc) {
    o.append(static_cast<size_t>(s.level), '#').append(" ").append(md_text(s.title)).append("\n\n");
    for (const auto& b : s.blocks) {
      switch (b.kind) {
        case Block::Para: o.append(md_text(b.text)).append("\n\n"); break;
        case Block::List:
          for (const auto& i : b.items) o.append("- ").append(md_cell(i)).append("\n");
          o += "\n";
          break;
        case Block::Tab: {
          const Table& t = b.table;
          o += "|";
          for (const auto& h : t.head) o.append(" ").append(md_cell(h)).append(" |");
          o += "\n|";
          for (size_t c = 0; c < t.head.size(); ++c) o += (c < t.numeric.size() && t.numeric[c]) ? " ---: |" : " --- |";
          o += "\n";
          for (const auto& r : t.rows) {
            o += "|";
            for (const auto& c : r) o.append(" ").append(md_cell(c)).append(" |");
            o += "\n";
          }
          o += "\n";
          break;
        }
        case Block::Bars: {
          o += "```text\n";
          size_t w = 0;
          for (const auto& bar : b.bars) w = std::max(w, bar.label.size());
          for (const auto& bar : b.bars) {
            const size_t n = static_cast<size_t>(std::lround(std::fabs(bar.share) * 40));
            std::string hashes;
            for (size_t i = 0; i < n; ++i) hashes += bar.share < 0 ? '-' : '#';
            o += fmt::format("{:<{}}  {:<40}  {}\n", bar.label, w, hashes, bar.value);
          }
          o += "```\n\n";
          break;
        }
      }
    }
  }
  return o;
}

std::string detail::render_html(const std::string& title, const std::vector<Section>& doc) {
  std::string o =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + html_escape(title) +
      "</title>\n<style>\n"
      "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;max-width:72rem;"
      "margin:2rem auto;padding:0 1rem;color:#1d2327;line-height:1.45}\n"
      "h1{font-size:1.7rem;border-bottom:2px solid #2e7d32;padding-bottom:.3rem}h2{font-size:1.3rem;margin-top:2rem;"
      "color:#2e7d32}h3{font-size:1.1rem}\n"
      "table{border-collapse:collapse;margin:.6rem 0 1.2rem;font-size:.9rem}th,td{border:1px solid #ccd;padding:"
      ".25rem .5rem;vertical-align:top}th{background:#eef3ee;text-align:left}td.n{text-align:right;"
      "font-variant-numeric:tabular-nums;white-space:nowrap}\n"
      ".chart{margin:.6rem 0 1.2rem}.row{display:flex;align-items:center;margin:.15rem 0}.lab{width:16rem;"
      "flex:none;font-size:.9rem}.track{flex:1;background:#f2f4f2;height:1.1rem;position:relative}"
      ".bar{height:100%;background:#43a047}.bar.neg{background:#1e88e5}.val{width:12rem;flex:none;text-align:right;"
      "font-size:.9rem;font-variant-numeric:tabular-nums}\n"
      "</style>\n</head>\n<body>\n<h1>" +
      html_escape(title) + "</h1>\n";
  for (const auto& s : doc) {
    o += fmt::format("<h{0}>{1}</h{0}>\n", s.level, html_escape(s.title));
    for (const auto& b : s.blocks) {
      switch (b.kind) {
        case Block::Para: o.append("<p>").append(html_escape(b.text)).append("</p>\n"); break;
        case Block::List:
          o += "<ul>\n";
          for (const auto& i : b.items) o.append("<li>").append(html_escape(i)).append("</li>\n");
          o += "</ul>\n";
          break;
        case Block::Tab: {
          const Table& t = b.table;
          o += "<table>\n<thead><tr>";
          for (const auto& hd : t.head) o.append("<th>").append(html_escape(hd)).append("</th>");
          o += "</tr></thead>\n<tbody>\n";
          for (const auto& r : t.rows) {
            o += "<tr>";
            for (size_t c = 0; c < r.size(); ++c)
              o.append(c < t.numeric.size() && t.numeric[c] ? "<td class=\"n\">" : "<td>")
                  .append(html_escape(r[c]))
                  .append("</td>");
            o += "</tr>\n";
          }
          o += "</tbody>\n</table>\n";
          break;
        }
        case Block::Bars:
          o += "<div class=\"chart\">\n";
          for (const auto& bar : b.bars)
            o += fmt::format(
                "<div class=\"row\"><span class=\"lab\">{}</span><span class=\"track\"><span class=\"bar{}\" "
                "style=\"display:block;width:{:.1f}%\"></span></span><span class=\"val\">{}</span></div>\n",
                html_escape(bar.label), bar.share < 0 ? " neg" : "", std::fabs(bar.share) * 100, html_escape(bar.value));
          o += "</div>\n";
          break;
      }
    }
  }
  o += "</body>\n</html>\n";
  return o;
}

// Four significant digits, fixed notation where that stays readable.
std::string detail::num(double v) {
  if (v == 0 || !std::isfinite(v)) return v == 0 ? "0" : fmt::format("{}", v);
  const double a = std::fabs(v);
  if (a >= 1e-3 && a < 1e9) {
    const int mag = static_cast<int>(std::floor(std::log10(a)));
    return fmt::format("{:.{}f}", v, std::max(0, 3 - mag));
  }
  return fmt::format("{:.3e}", v);
}

// The report as sections, from the analysis and the PACT footprint.
std::vector<Section> detail::make_document(const Study& study, const json& data, const json& pact) {
  const Split S = split_of(data["impact"]);
  const std::string unit = data["impact"]["unit"].get<std::string>();
  const json& st_ = data["study"];
  const json& inv = data["inventory"];
  const json& itp = data["interpretation"];
  const std::string ref_unit = st_["reference_flow"]["unit"].get<std::string>();
  const json& product = st_["product"];
  const json& dbj = st_["database"];
  const json& pcf = pact["pcf"];
  const json& per_du = data["pact"]["per_declared_unit"];
  const size_t unlinked_count = inv["unlinked_inputs"]["count"].get<size_t>();
  const json& unlinked = inv["unlinked_inputs"]["items"];
  const json& dq_j = inv["data_quality"];
  const std::vector<std::string> unmapped = inv["flow_mapping"]["unmapped_ghg_in_system"];
  const std::vector<std::string> notes_in_system = inv["linking_notes"];
  const std::vector<std::string> warnings = data["warnings"];
  const std::vector<std::string> pact_notes = data["pact"]["notes"];
  const std::vector<std::string> pact_missing = data["pact"]["missing"];
  const size_t active = inv["processes_in_system"].get<size_t>();
  const double hot_sum = itp["hot_spots_total"].get<double>();
  std::vector<Section> doc;
  const std::string fu = study.functional_unit;
  {
    Section s{"Goal and scope", 2, {}};
    if (!study.goal.empty()) s.para(study.goal);
    s.table({{"Item", "Value"},
             {false, false},
             {{"Functional unit", fu},
              {"Reference flow", fmt::format("{} {} of {}", qty(study.amount), ref_unit, product["flow"].get<std::string>())},
              {"Product system", fmt::format("{} ({}, {})", product["process"].get<std::string>(),
                                             product["location"].get<std::string>(),
                                             product["process_id"].get<std::string>())},
              {"Database", fmt::format("{} ({}; {} processes)", dbj["name"].get<std::string>(),
                                       dbj["format"].get<std::string>(), dbj["processes"].get<size_t>())},
              {"System boundary", study.system_boundary},
              {"Allocation", std::string(to_string(study.allocation)) + ": " + alloc_description(study.allocation)},
              {"Impact method", fmt::format("{}; GWP set {} ({})", st_["method"]["name"].get<std::string>(), study.gwp_set,
                                            st_["method"]["source"].get<std::string>())},
              {"Cut-off (hot spots and tree)", pct(study.cutoff)},
              {"Reference period",
               study.period_start.empty() ? std::string("not given") : study.period_start + " to " + study.period_end},
              {"Geography", study.geography.empty() ? std::string("not given") : study.geography},
              {"Standards", "ISO 14067:2018; GHG Protocol Product Life Cycle Accounting and Reporting Standard (2011)"}}});
    doc.push_back(std::move(s));
  }
  {
    Section s{"Results", 2, {}};
    s.para(fmt::format("Carbon footprint per functional unit ({}), {} GWP100, in {}.", fu, study.gwp_set, unit));
    Table t{{"Quantity", unit}, {false, true}, {}};
    t.rows = {{"Total carbon footprint (including biogenic CO2)", num(S.total)},
              {"Excluding biogenic CO2 emissions and removals", num(S.excluding_biogenic_co2())},
              {"Fossil and dLUC only (excluding all biogenic GHG)", num(S.fossil_and_luc())},
              {"Fossil GHG emissions and removals", num(S.fossil)},
              {"Biogenic GHG emissions and removals", num(S.biogenic)},
              {"  biogenic CO2 emissions", num(S.bio_co2_emissions)},
              {"  biogenic CO2 removals", num(S.bio_co2_removals)},
              {"  other biogenic GHG (CH4 ...)", num(S.bio_other)},
              {"Direct land-use change (dLUC)", num(S.luc)}};
    s.table(t);
    if (std::fabs(S.total - S.fossil - S.biogenic - S.luc) > 1e-9 * std::max(1.0, std::fabs(S.total)))
      s.para(fmt::format("Note: {} {} of the total is in no fossil, biogenic or dLUC category.",
                         num(S.total - S.fossil - S.biogenic - S.luc), unit));
    if (itp["demands"].size() > 1) {
      Table d{{"Demand", "Process", "Amount", unit}, {false, false, true, true}, {}};
      for (const auto& x : itp["demands"])
        d.rows.push_back({x["field"].get<std::string>(), x["process"].get<std::string>(),
                          qty(x["amount"].get<double>()) + " " + x["unit"].get<std::string>(),
                          num(x["total"].get<double>())});
      s.para("Results by demand (each with its whole upstream):");
      s.table(d);
    }
    doc.push_back(std::move(s));
  }
  {
    Section s{"Inventory", 2, {}};
    s.para(fmt::format("The product system links {} providers of database '{}'; {} processes contribute (non-zero "
                       "scaling). Solver: {}, relative residual {}.",
                       inv["providers"].get<size_t>(), dbj["name"].get<std::string>(), active,
                       inv["solver"]["name"].get<std::string>(), num(inv["solver"]["residual"].get<double>())));
    std::vector<std::string> src;
    for (const auto& x : inv["data_sources"]) {
      std::string line = x["process"].get<std::string>();
      if (!x["location"].get<std::string>().empty()) line += " (" + x["location"].get<std::string>() + ")";
      std::vector<std::string> parts;
      for (const auto& [k, v] : x["documentation"].items()) parts.push_back(k + ": " + v.get<std::string>());
      if (!parts.empty()) line += " - " + join(parts, "; ");
      src.push_back(line);
    }
    Section sub{"Data sources", 3, {}};
    sub.para(fmt::format("Database '{}' ({}). Documentation of the product's process and of the main contributors:",
                         dbj["name"].get<std::string>(), dbj["format"].get<std::string>()));
    sub.list(src);
    doc.push_back(std::move(s));
    doc.push_back(std::move(sub));
    Section ul{"Unlinked inputs (cut-offs)", 3, {}};
    if (unlinked_count == 0) {
      ul.para("Every product input of the processes in the system is linked to a provider.");
    } else {
      ul.para(fmt::format("{} product input(s) of processes in the system have no provider in the database; they are "
                          "cut off (amounts per unit of the consuming process's reference product){}.",
                          unlinked_count, unlinked_count > unlinked.size() ? ", the first 100 shown" : ""));
      Table t{{"Process", "Input", "Amount"}, {false, false, true}, {}};
      for (const auto& x : unlinked)
        t.rows.push_back({x["process"].get<std::string>(), x["flow"].get<std::string>(),
                          qty(x["amount"].get<double>()) + " " + x["unit"].get<std::string>()});
      ul.table(t);
    }
    doc.push_back(std::move(ul));
    Section dq{"Data quality", 3, {}};
    dq.para(fmt::format("{} exchanges in the contributing processes; {} carry pedigree scores, {} an uncertainty "
                        "distribution.",
                        dq_j["exchanges"].get<size_t>(), dq_j["with_pedigree"].get<size_t>(),
                        dq_j["with_uncertainty"].get<size_t>()));
    if (dq_j["with_pedigree"].get<size_t>() > 0) {
      Table t{{"Pedigree indicator (1 best - 5 worst)", "Exchanges", "Mean", "Min", "Max"},
              {false, true, true, true, true}, {}};
      for (const auto& x : dq_j["pedigree"])
        t.rows.push_back({x["indicator"].get<std::string>(), std::to_string(x["exchanges"].get<size_t>()),
                          x["mean"].is_null() ? "-" : fmt::format("{:.2f}", x["mean"].get<double>()),
                          x["min"].is_null() ? "-" : std::to_string(x["min"].get<int>()),
                          x["max"].is_null() ? "-" : std::to_string(x["max"].get<int>())});
      dq.table(t);
    } else {
      dq.para("The database gives no pedigree scores for these exchanges.");
    }
    if (!unmapped.empty()) {
      dq.para("Greenhouse-gas flows without a characterisation factor (waived by the study):");
      dq.list(unmapped);
    }
    if (!notes_in_system.empty()) {
      std::vector<std::string> notes(notes_in_system.begin(),
                                     notes_in_system.begin() + std::min<std::ptrdiff_t>(30, std::ssize(notes_in_system)));
      if (notes_in_system.size() > 30) notes.push_back(fmt::format("... and {} more", notes_in_system.size() - 30));
      dq.para("Linking and allocation notes of the processes in the system:");
      dq.list(notes);
    }
    doc.push_back(std::move(dq));
  }
  {
    Section s{"Interpretation", 2, {}};
    doc.push_back(std::move(s));
    Section st{"Contribution by life-cycle stage", 3, {}};
    st.para("Direct emissions of the processes assigned to each stage (each process's own exchanges, scaled to the "
            "functional unit); the stages sum to the total.");
    const double gross = itp.value("gross_contributions", 0.0);
    st.para(fmt::format("Share (here and below) = the contribution ÷ the gross contributions G = Σ |direct "
                        "contribution| over all processes = {} {}, so that emissions (+) and removals (−) keep their "
                        "sign and the shares stay meaningful when the net total is zero or negative. The net total is "
                        "{} of G{}.",
                        num(gross), unit, pct(gross > 0 ? S.total / gross : 0.0),
                        S.total <= 0 ? " (the net total is not positive: shares of it would be meaningless)" : ""));
    Table t{{"Stage", "Processes", "Total", "Fossil", "Biogenic", "dLUC", "Share of G"},
            {false, true, true, true, true, true, true}, {}};
    std::vector<Bar> bars;
    double maxabs = 0;
    for (const auto& x : itp["stages"]) maxabs = std::max(maxabs, std::fabs(x["total"].get<double>()));
    for (const auto& x : itp["stages"]) {
      t.rows.push_back({x["stage"].get<std::string>(), std::to_string(x["processes"].get<size_t>()),
                        num(x["total"].get<double>()), num(x["fossil"].get<double>()), num(x["biogenic"].get<double>()),
                        num(x["luc"].get<double>()), pct(x["share"].get<double>())});
      bars.push_back({x["stage"].get<std::string>(), num(x["total"].get<double>()) + " " + unit,
                      maxabs > 0 ? x["total"].get<double>() / maxabs : 0.0});
    }
    t.rows.push_back({"Total", std::to_string(active), num(S.total), num(S.fossil), num(S.biogenic), num(S.luc),
                      pct(gross > 0 ? S.total / gross : 0.0)});
    st.table(t);
    st.bars(bars);
    doc.push_back(std::move(st));
    Section hs{"Hot spots", 3, {}};
    hs.para(fmt::format("Processes whose direct contribution is at least {} of the total, largest first (at most 50).",
                        pct(study.cutoff)));
    Table h{{"Process", "Location", "Stage", unit, "Share of G"}, {false, false, false, true, true}, {}};
    for (const auto& x : itp["hot_spots"])
      h.rows.push_back({x["process"].get<std::string>(), x["location"].get<std::string>(), x["stage"].get<std::string>(),
                        num(x["amount"].get<double>()), pct(x["share"].get<double>())});
    h.rows.push_back({"All other processes", "", "", num(S.total - hot_sum), pct(gross > 0 ? (S.total - hot_sum) / gross : 0.0)});
    hs.table(h);
    doc.push_back(std::move(hs));
    Section tr{"Upstream tree", 3, {}};
    tr.para(fmt::format("Supply chain of the product (cradle-to-gate), branches of at least {} of its total, up to {} "
                        "levels. Totals include each branch's upstream.",
                        pct(study.cutoff), study.max_depth));
    Table tt{{"Level", "Process", "Amount", "Total " + unit, "Share of G"}, {true, false, true, true, true}, {}};
    for (const auto& x : itp["tree"])
      tt.rows.push_back({std::to_string(x["depth"].get<int>()),
                         std::string(static_cast<size_t>(2 * x["depth"].get<int>()), ' ') + x["process"].get<std::string>(),
                         qty(x["amount"].get<double>()) + " " + x["unit"].get<std::string>(), num(x["total"].get<double>()),
                         pct(x["share"].get<double>())});
    tr.table(tt);
    doc.push_back(std::move(tr));
    Section sa{"Sensitivity to the allocation method", 3, {}};
    if (study.allocation_sensitivity.empty()) {
      sa.para("The study names no alternative allocation methods (allocation_sensitivity).");
    } else {
      sa.para("The whole system re-run with each alternative allocation method (a sensitivity analysis is required "
              "where several allocation procedures seem applicable: ISO 14044:2006 4.3.4.1, applied by ISO 14067).");
      Table a{{"Allocation", "Total " + unit, "Fossil", "Biogenic", "dLUC", "Change"}, {false, true, true, true, true, true}, {}};
      for (const auto& x : itp["allocation_sensitivity"]) {
        const std::string name = x["allocation"].get<std::string>() + (x["base"].get<bool>() ? " (study)" : "");
        if (x.contains("error")) {
          a.rows.push_back({name, "-", "-", "-", "-", "failed: " + x["error"].get<std::string>()});
          continue;
        }
        a.rows.push_back({name, num(x["total"].get<double>()), num(x["fossil"].get<double>()),
                          num(x["biogenic"].get<double>()), num(x["luc"].get<double>()),
                          fmt::format("{:+.1f} %", x["change_percent"].get<double>())});
      }
      sa.table(a);
    }
    doc.push_back(std::move(sa));
    Section un{"Uncertainty", 3, {}};
    un.para(data["interpretation"]["uncertainty"].get<std::string>());
    doc.push_back(std::move(un));
  }
  {
    Section s{"Limitations", 2, {}};
    s.list(data["limitations"].get<std::vector<std::string>>());
    doc.push_back(std::move(s));
  }
  {
    Section s{"PACT ProductFootprint", 2, {}};
    s.para(fmt::format("pact.json follows the PACT Technical Specifications for PCF Data Exchange v{} (cradle-to-gate, "
                       "per declared unit: {}).",
                       kPactSpecVersion, per_du["declared_unit"].get<std::string>()));
    Table t{{"Field", "Value"}, {false, true}, {}};
    for (const char* k : {"pCfExcludingBiogenic", "pCfIncludingBiogenic", "fossilGhgEmissions", "dLucGhgEmissions",
                          "otherBiogenicGhgEmissions", "biogenicCarbonWithdrawal", "biogenicCarbonContent",
                          "fossilCarbonContent"})
      if (pcf.contains(k)) t.rows.push_back({k, pcf[k].get<std::string>()});
    s.table(t);
    std::vector<std::string> notes = pact_notes;
    if (!pact_missing.empty())
      notes.insert(notes.begin(), "pact.json lacks mandatory fields: " + join(pact_missing, ", "));
    if (!notes.empty()) s.list(notes);
    doc.push_back(std::move(s));
  }
  if (!warnings.empty()) {
    Section s{"Warnings", 2, {}};
    s.list(warnings);
    doc.push_back(std::move(s));
  }

  return doc;
}

}  // namespace panocarbon::lca

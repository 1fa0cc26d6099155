// The ledger's tables: regional MRIO accounts and GCB series as ledger rows (Mt CO2), per capita, names, and the
// default dataset's CSV layout (data/ledger/). The equations are in docs/ledger.md.
#include "panocarbon/ledger.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <tuple>

#include "core/countries.hpp"
#include "core/csv.hpp"
#include "core/embedded.hpp"
#include "core/text.hpp"
#include "io/gcb2019.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/format.hpp"

namespace panocarbon::ledger {

namespace fs = std::filesystem;

namespace {
double unit_to_mt(const std::string& unit) {
  const std::string u = io::to_lower(io::trim(unit));
  if (u == "kt" || u == "gg" || u == "kt co2" || u == "gg co2") return 1e-3;
  if (u == "t" || u == "t co2" || u == "mg") return 1e-6;
  if (u == "mt" || u == "mt co2" || u == "tg") return 1.0;
  if (u == "kg" || u == "kg co2") return 1e-9;
  return 0;
}
}  // namespace

Co2Stressor find_co2(const MrioSystem& s, const std::string& where) {
  std::vector<std::string> seen;
  for (size_t e = 0; e < s.extensions.size(); ++e) {
    const auto& ext = s.extensions[e];
    for (size_t r = 0; r < ext.stressors.size(); ++r) {
      const std::string& name = ext.stressors[r];
      seen.push_back(ext.name + "/" + name);
      const std::string head = name.substr(0, name.find('|'));
      if (head != "CO2") continue;
      const std::string unit = r < ext.units.size() ? ext.units[r] : "";
      const double f = unit_to_mt(unit);
      if (f == 0)
        throw Error(ErrorCategory::InvalidInput,
                    fmt::format("stressor {} of extension {} has the unit '{}'; the ledger reads CO2 in kt, t, Mt or "
                                "kg (the extension's unit.txt)",
                                name, ext.name, clip_input(unit)),
                    {where, 0, 0, "unit"});
      return {e, r, name, unit, f};
    }
  }
  throw Error(ErrorCategory::InvalidInput,
              fmt::format("has no CO2 stressor (an extension with a row named CO2, e.g. co2/F.txt); found: {}. The "
                          "ledger reads MRIO systems with a CO2 account such as ../shared/data/mrio/wiod2013-co2/YEAR",
                          seen.empty() ? std::string("no extension") : fmt::format("{}", fmt::join(seen, ", "))),
              {where});
}

std::pair<std::string, std::string> wiod_sector(const std::string& label) {
  static const std::pair<const char*, const char*> k[] = {
      {"AtB", "Agriculture, Hunting, Forestry and Fishing"},
      {"C", "Mining and Quarrying"},
      {"15t16", "Food, Beverages and Tobacco"},
      {"17t18", "Textiles and Textile Products"},
      {"19", "Leather, Leather and Footwear"},
      {"20", "Wood and Products of Wood and Cork"},
      {"21t22", "Pulp, Paper, Paper, Printing and Publishing"},
      {"23", "Coke, Refined Petroleum and Nuclear Fuel"},
      {"24", "Chemicals and Chemical Products"},
      {"25", "Rubber and Plastics"},
      {"26", "Other Non-Metallic Mineral"},
      {"27t28", "Basic Metals and Fabricated Metal"},
      {"29", "Machinery, Nec"},
      {"30t33", "Electrical and Optical Equipment"},
      {"34t35", "Transport Equipment"},
      {"36t37", "Manufacturing, Nec; Recycling"},
      {"E", "Electricity, Gas and Water Supply"},
      {"F", "Construction"},
      {"50", "Sale, Maintenance and Repair of Motor Vehicles and Motorcycles; Retail Sale of Fuel"},
      {"51", "Wholesale Trade and Commission Trade, Except of Motor Vehicles and Motorcycles"},
      {"52", "Retail Trade, Except of Motor Vehicles and Motorcycles; Repair of Household Goods"},
      {"H", "Hotels and Restaurants"},
      {"60", "Inland Transport"},
      {"61", "Water Transport"},
      {"62", "Air Transport"},
      {"63", "Other Supporting and Auxiliary Transport Activities; Activities of Travel Agencies"},
      {"64", "Post and Telecommunications"},
      {"J", "Financial Intermediation"},
      {"70", "Real Estate Activities"},
      {"71t74", "Renting of Machinery and Equipment and Other Business Activities"},
      {"L", "Public Admin and Defence; Compulsory Social Security"},
      {"M", "Education"},
      {"N", "Health and Social Work"},
      {"O", "Other Community, Social and Personal Services"},
      {"P", "Private Households with Employed Persons"},
  };
  for (size_t i = 0; i < std::size(k); ++i)
    if (label == k[i].first) return {fmt::format("c{}", i + 1), k[i].second};
  return {label, label};
}

std::string iso_region(const std::string& region) { return region == "ROM" ? "ROU" : region; }

Table mrio_table(const MrioSystem& s, const MrioAccounts& accounts, const Co2Stressor& co2, int year) {
  if (accounts.stressors.size() != 1)
    throw Error(ErrorCategory::Internal, fmt::format("the ledger expects the accounts of one stressor, not {}",
                                                     accounts.stressors.size()));
  const StressorAccounts& st = accounts.stressors.front();
  const size_t nr = s.n_regions(), ns = s.n_sectors(), nc = s.n_categories();
  const double f = co2.to_mt;
  Table t;
  for (size_t r = 0; r < nr; ++r) {
    const RegionAccount& a = st.regions[r];
    const std::string c = iso_region(s.regions[r]);
    auto add = [&](const char* indicator, double v) {
      Value row;
      row.country = c;
      row.year = year;
      row.indicator = indicator;
      row.value = v * f;
      row.side = standard_side(indicator);
      row.note = standard_note("mrio", indicator);
      t.values.push_back(std::move(row));
    };
    add("production", a.production);
    add("consumption", a.consumption);
    add("imports", a.imports);
    add("exports", a.exports);
    add("net_transfer", a.consumption - a.production);
  }
  // Partners: bilateral(p, c) = emitted in p for c's final demand (F_Y not included).
  for (size_t r = 0; r < nr; ++r)
    for (size_t q = 0; q < nr; ++q) {
      if (q == r) continue;
      t.partners.push_back({iso_region(s.regions[r]), year, iso_region(s.regions[q]), st.bilateral(r, q) * f,
                            st.bilateral(q, r) * f});
    }
  // Sectors: production by industry (F), consumption by product (sum over origins of M_i y_i,r), and F_Y.
  const MrioExtension& ext = s.extensions[co2.extension];
  const auto& m = st.multipliers;
  for (size_t r = 0; r < nr; ++r) {
    std::vector<double> cons(ns, 0.0);
    for (size_t i = 0; i < s.n(); ++i) {
      double y = 0;
      for (size_t k = 0; k < nc; ++k) y += s.Y(i, r * nc + k);
      cons[i % ns] += m[i] * y;
    }
    for (size_t j = 0; j < ns; ++j) {
      auto [code, name] = wiod_sector(s.sectors[j]);
      t.sectors.push_back({iso_region(s.regions[r]), year, code, name, ext.F(co2.row, r * ns + j) * f, cons[j] * f});
    }
    const double fy = st.regions[r].direct_fd * f;
    t.sectors.push_back({iso_region(s.regions[r]), year, "FY", "Final demand, direct emissions (households' own fuel use)", fy, fy});
  }
  return t;
}

// --- names and population -------------------------------------------------------------------------------------

const std::map<std::string, std::string>& country_names() {
  static const std::map<std::string, std::string> names = [] {
    std::map<std::string, std::string> m;
    for (const auto& c : iso_countries()) m[c.alpha3] = c.name;
    m["RoW"] = "Rest of the world";
    m["World"] = "World";
    return m;
  }();
  return names;
}

std::string country_name(const std::string& code) {
  const auto& n = country_names();
  const auto it = n.find(code);
  return it == n.end() ? code : it->second;
}

Population load_population() {
  Population p;
  io::CsvReader csv(detail::embedded_file("population.csv"), "<embedded>/population.csv");
  csv.next();  // country,year,population
  while (csv.next()) {
    const auto& f = csv.fields();
    if (f.size() < 3) continue;
    double y = 0, v = 0;
    if (io::parse_double(f[1], y) && io::parse_double(f[2], v) && v > 0)
      p[std::string(f[0])][static_cast<int>(y)] = v;
  }
  return p;
}

void add_per_capita(Table& t, const Population& population) {
  std::vector<Value> extra;
  for (const auto& v : t.values) {
    if (v.indicator != "production" && v.indicator != "consumption") continue;
    const auto c = population.find(v.country);
    if (c == population.end()) continue;
    const auto y = c->second.find(v.year);
    if (y == c->second.end()) continue;
    Value pc = v;
    pc.indicator = v.indicator + "_per_capita";
    pc.unit = v.unit == kUnit ? std::string(kPerCapitaUnit) : "t CO2e/person";
    pc.value = v.value * 1e6 / y->second;  // Mt -> t, per person
    if (!std::isnan(v.lower)) pc.lower = v.lower * 1e6 / y->second;
    if (!std::isnan(v.upper)) pc.upper = v.upper * 1e6 / y->second;
    pc.note = fmt::format("{} / population (World Bank SP.POP.TOTL {}: {:.0f})", v.indicator, v.year, y->second);
    extra.push_back(std::move(pc));
  }
  t.values.insert(t.values.end(), extra.begin(), extra.end());
}

// --- GCB ----------------------------------------------------------------------------------------------------------

Table gcb_table(const fs::path& folder, int from_year) {
  const io::Gcb2019 g = io::read_gcb2019(folder);
  Table t;
  t.source = t.dataset = "gcb2019";
  t.version = "Global Carbon Budget 2019, national fossil CO2 emissions v1.0 (territorial 1959-2018, consumption "
              "1990-2017)";
  t.citation = "Friedlingstein, P. et al. (2019) Global Carbon Budget 2019. Earth System Science Data 11, 1783-1838, "
               "doi:10.5194/essd-11-1783-2019; consumption-based: Peters, G. P. et al. (2011) PNAS 108, 8903-8908";
  t.path = folder.string();
  const auto& names = country_names();
  auto keep = [&](const std::string& code) {
    if (code == "World") return true;
    if (code.size() != 3 || code == "EUU") return false;
    return names.count(code) > 0 || g.names.count(code) > 0 || code == "XKX";
  };
  auto add = [&](const std::vector<io::GcbRow>& rows, const char* indicator, double sign = 1.0) {
    const std::string note = standard_note("gcb2019", indicator);
    for (const auto& r : rows) {
      if (!keep(r.code) || r.year < from_year) continue;
      Value v;
      v.country = r.code;
      v.year = r.year;
      v.indicator = indicator;
      v.value = sign * r.mtc * kCarbonToCo2;
      v.side = standard_side(indicator);
      v.note = r.origin.empty() ? note : fmt::format("{}; {}", note, r.origin);
      t.values.push_back(std::move(v));
    }
  };
  add(g.territorial, "production");
  add(g.consumption, "consumption");
  // The files' transfers are territorial - consumption (CHN 2009: 2117.580 - 1808.520 = 309.060 MtC); the ledger's
  // net_transfer is consumption - production, so the sign is turned.
  add(g.transfers, "net_transfer", -1.0);
  return t;
}

// --- the export layout ----------------------------------------------------------------------------------------

std::string standard_note(const std::string& dataset, const std::string& indicator) {
  if (dataset == "natural" || dataset == "inventory") return {};  // their notes are written out whole
  if (dataset == "gcb2019") {
    if (indicator == "production") return "GCB 2019 territorial fossil CO2 (MtC x 44/12)";
    if (indicator == "consumption")
      return "GCB 2019 consumption-based fossil CO2 (Peters et al. 2011 method, GTAP; MtC x 44/12)";
    if (indicator == "net_transfer")
      return "GCB 2019 emissions transfers with the sign turned: consumption - territorial (MtC x -44/12)";
    return {};
  }
  if (indicator == "production")
    return "territorial (pymrio D_pba_reg): emissions of the region's industries and of its final demand (F_Y)";
  if (indicator == "consumption")
    return "consumption-based (pymrio D_cba_reg): emissions embodied in the region's final demand, plus F_Y";
  if (indicator == "imports") return "emitted in other regions for the region's final demand (D_imp_reg)";
  if (indicator == "exports") return "emitted in the region for other regions' final demand (D_exp_reg)";
  if (indicator == "net_transfer")
    return "consumption - production (= imports - exports): > 0 a net importer of emissions";
  return {};
}

std::string standard_side(const std::string& indicator) {
  if (indicator.rfind("production", 0) == 0) return "production";
  if (indicator.rfind("consumption", 0) == 0) return "consumption";
  if (indicator.rfind("natural", 0) == 0) return "natural";
  return "trade";
}

bool is_export_folder(const fs::path& folder) {
  std::error_code ec;
  return fs::is_regular_file(folder / "sources.csv", ec) && fs::is_regular_file(folder / "values.csv", ec);
}

namespace {
std::string num10(double v) {
  if (std::isnan(v)) return "";
  if (v == 0) return "0";
  return fmt::format("{:.9g}", v);
}

struct Columns {
  std::map<std::string, size_t> at;
  const std::string* file;
  void read(const io::CsvReader& csv, const std::vector<std::string>& need) {
    for (size_t i = 0; i < csv.fields().size(); ++i) at[std::string(io::trim(csv.fields()[i]))] = i;
    for (const auto& n : need)
      if (!at.count(n))
        throw Error(ErrorCategory::InvalidInput,
                    fmt::format("has no column '{}'; the header must be {} (the layout `panocarbon ledger export` "
                                "writes)",
                                n, fmt::join(need, ",")),
                    {*file, 1, 0, n});
  }
  std::string_view get(const io::CsvReader& csv, const std::string& name) const {
    const size_t i = at.at(name);
    if (i >= csv.fields().size())
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("has {} fields, fewer than the header; give every column", csv.fields().size()),
                  csv.context(static_cast<long>(i) + 1, name));
    return io::trim(csv.fields()[i]);
  }
  double number(const io::CsvReader& csv, const std::string& name, bool empty_is_nan = false) const {
    const auto s = get(csv, name);
    if (empty_is_nan && s.empty()) return std::numeric_limits<double>::quiet_NaN();
    return io::finite_number(s, csv.context(static_cast<long>(at.at(name)) + 1, name));
  }
  int year(const io::CsvReader& csv) const {
    const double y = number(csv, "year");
    if (y != std::floor(y) || y < 1700 || y > 2200)
      throw Error(ErrorCategory::InvalidInput, fmt::format("'{}' is not a year; give a whole number such as 2009", y),
                  csv.context(static_cast<long>(at.at("year")) + 1, "year"));
    return static_cast<int>(y);
  }
};

const std::string& need_file(const std::map<std::string, std::string>& files, const std::string& name,
                             const std::string& where) {
  const auto it = files.find(name);
  if (it == files.end())
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("has no {}; a ledger folder holds sources.csv, values.csv, partners.csv and sectors.csv "
                            "(as `panocarbon ledger export` writes them)",
                            name),
                {where});
  return it->second;
}
}  // namespace

std::vector<Table> read_export(const std::map<std::string, std::string>& files, const std::string& where) {
  std::vector<Table> tables;
  std::map<std::string, size_t> index;
  {
    const std::string file = where + "/sources.csv";
    io::CsvReader csv(need_file(files, "sources.csv", where), file);
    Columns c{{}, &file};
    if (!csv.next()) throw Error(ErrorCategory::InvalidInput, "is empty; it needs the header source,dataset,version,citation", {file, 1});
    c.read(csv, {"source", "dataset", "version", "citation"});
    while (csv.next()) {
      Table t;
      t.source = std::string(c.get(csv, "source"));
      if (t.source.empty())
        throw Error(ErrorCategory::InvalidInput, "has an empty source; name it (e.g. gcb2019)", csv.context(1, "source"));
      t.dataset = std::string(c.get(csv, "dataset"));
      t.version = std::string(c.get(csv, "version"));
      t.citation = std::string(c.get(csv, "citation"));
      t.path = where;
      index[t.source] = tables.size();
      tables.push_back(std::move(t));
    }
  }
  auto table_of = [&](const io::CsvReader& csv, const Columns& c) -> Table& {
    const std::string s(c.get(csv, "source"));
    const auto it = index.find(s);
    if (it == index.end())
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("names the source '{}', which sources.csv does not list; add it there", clip_input(s)),
                  csv.context(static_cast<long>(c.at.at("source")) + 1, "source"));
    return tables[it->second];
  };
  {
    const std::string file = where + "/values.csv";
    io::CsvReader csv(need_file(files, "values.csv", where), file);
    Columns c{{}, &file};
    if (!csv.next()) throw Error(ErrorCategory::InvalidInput, "is empty", {file, 1});
    c.read(csv, {"source", "country", "year", "indicator", "value", "lower", "upper", "note"});
    while (csv.next()) {
      Table& t = table_of(csv, c);
      Value v;
      v.country = std::string(c.get(csv, "country"));
      v.year = c.year(csv);
      v.indicator = std::string(c.get(csv, "indicator"));
      if (v.country.empty() || v.indicator.empty())
        throw Error(ErrorCategory::InvalidInput, "has an empty country or indicator; give both",
                    csv.context(0, v.country.empty() ? "country" : "indicator"));
      v.value = c.number(csv, "value");
      v.lower = c.number(csv, "lower", true);
      v.upper = c.number(csv, "upper", true);
      if (c.at.count("unit") && !c.get(csv, "unit").empty()) v.unit = std::string(c.get(csv, "unit"));
      if (c.at.count("gwp")) v.gwp = std::string(c.get(csv, "gwp"));
      v.side = standard_side(v.indicator);
      const std::string base = standard_note(t.dataset, v.indicator);
      const std::string extra(c.get(csv, "note"));
      v.note = base.empty() ? extra : extra.empty() ? base : base + "; " + extra;
      t.values.push_back(std::move(v));
    }
  }
  if (files.count("partners.csv")) {
    const std::string file = where + "/partners.csv";
    io::CsvReader csv(files.at("partners.csv"), file);
    Columns c{{}, &file};
    if (csv.next()) {
      c.read(csv, {"source", "country", "year", "partner", "exports", "imports"});
      while (csv.next()) {
        Table& t = table_of(csv, c);
        t.partners.push_back({std::string(c.get(csv, "country")), c.year(csv), std::string(c.get(csv, "partner")),
                              c.number(csv, "exports"), c.number(csv, "imports")});
      }
    }
  }
  if (files.count("sectors.csv")) {
    const std::string file = where + "/sectors.csv";
    io::CsvReader csv(files.at("sectors.csv"), file);
    Columns c{{}, &file};
    if (csv.next()) {
      c.read(csv, {"source", "country", "year", "measure"});
      const size_t first = c.at.at("measure") + 1;
      std::vector<std::string> codes;
      for (size_t i = first; i < csv.fields().size(); ++i) codes.emplace_back(io::trim(csv.fields()[i]));
      std::map<std::tuple<std::string, std::string, int>, std::map<std::string, size_t>> first_row;
      // rows come in pairs per country and year: production, then consumption
      while (csv.next()) {
        Table& t = table_of(csv, c);
        const std::string country(c.get(csv, "country"));
        const int year = c.year(csv);
        const std::string measure(c.get(csv, "measure"));
        if (measure != "production" && measure != "consumption")
          throw Error(ErrorCategory::InvalidInput,
                      fmt::format("has the measure '{}'; give production or consumption", clip_input(measure)),
                      csv.context(static_cast<long>(first), "measure"));
        if (csv.fields().size() < first + codes.size())
          throw Error(ErrorCategory::InvalidInput,
                      fmt::format("has {} fields, the header {}; give every sector's value", csv.fields().size(),
                                  first + codes.size()),
                      csv.context(static_cast<long>(csv.fields().size()) + 1, codes.empty() ? "" : codes.back()));
        // the sectors of this country and year (the non-empty cells): appended on its first row, filled by both
        auto& sector_at = first_row[std::make_tuple(t.source, country, year)];
        for (size_t k = 0; k < codes.size(); ++k) {
          const auto cell = io::trim(csv.fields()[first + k]);
          if (cell.empty()) continue;  // no such sector in this source
          const double v = io::finite_number(cell, csv.context(static_cast<long>(first + k) + 1, codes[k]));
          auto [it, fresh] = sector_at.try_emplace(codes[k], t.sectors.size());
          if (fresh) t.sectors.push_back({country, year, codes[k], sector_name(t.dataset, codes[k]), 0, 0});
          Sector& sec = t.sectors[it->second];
          (measure == "production" ? sec.production : sec.consumption) = v;
        }
      }
    }
  }
  return tables;
}

std::string wiod_sector_name(const std::string& code) {
  static const std::map<std::string, std::string> names = [] {
    std::map<std::string, std::string> m;
    for (const char* l : {"AtB", "C", "15t16", "17t18", "19", "20", "21t22", "23", "24", "25", "26", "27t28", "29",
                          "30t33", "34t35", "36t37", "E", "F", "50", "51", "52", "H", "60", "61", "62", "63", "64",
                          "J", "70", "71t74", "L", "M", "N", "O", "P"}) {
      auto [c, n] = wiod_sector(l);
      m[c] = n;
    }
    return m;
  }();
  const auto it = names.find(code);
  return it == names.end() ? code : it->second;
}

std::vector<std::string> write_export(const std::vector<Table>& tables, const fs::path& folder, size_t top) {
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec)
    throw Error(ErrorCategory::Io, fmt::format("cannot create the folder: {}", ec.message()), {folder.string()});
  auto open = [&](const char* name) {
    std::ofstream out(folder / name, std::ios::binary);
    if (!out) throw Error(ErrorCategory::Io, "cannot be written", {(folder / name).string()});
    return out;
  };
  {
    auto out = open("sources.csv");
    out << "source,dataset,version,citation\n";
    for (const auto& t : tables)
      out << fmt::format("{},{},{},{}\n", csv_field(t.source), csv_field(t.dataset), csv_field(t.version),
                         csv_field(t.citation));
  }
  {
    auto out = open("values.csv");
    out << "source,country,year,indicator,value,lower,upper,unit,gwp,note\n";
    for (const auto& t : tables)
      for (const auto& v : t.values) {
        if (v.indicator.size() > 11 && v.indicator.substr(v.indicator.size() - 11) == "_per_capita") continue;
        // only what the note adds to the indicator's standard note
        const std::string base = standard_note(t.dataset, v.indicator);
        std::string note = v.note;
        if (!base.empty() && note.rfind(base, 0) == 0) note = note.size() > base.size() + 2 ? note.substr(base.size() + 2) : "";
        out << fmt::format("{},{},{},{},{},{},{},{},{},{}\n", csv_field(t.source), csv_field(v.country), v.year,
                           csv_field(v.indicator), num10(v.value), num10(v.lower), num10(v.upper),
                           v.unit == kUnit ? std::string() : csv_field(v.unit), csv_field(v.gwp), csv_field(note));
      }
  }
  {
    auto out = open("partners.csv");
    out << "source,country,year,partner,exports,imports\n";
    for (const auto& t : tables) {
      // top partners per country and year by exports + imports (ties by name)
      std::map<std::pair<std::string, int>, std::vector<const Partner*>> groups;
      for (const auto& p : t.partners) groups[{p.country, p.year}].push_back(&p);
      for (auto& [key, ps] : groups) {
        std::stable_sort(ps.begin(), ps.end(), [](const Partner* a, const Partner* b) {
          const double x = a->exports + a->imports, y = b->exports + b->imports;
          return x != y ? x > y : a->partner < b->partner;
        });
        if (top && ps.size() > top) ps.resize(top);
        for (const Partner* p : ps)
          out << fmt::format("{},{},{},{},{},{}\n", csv_field(t.source), csv_field(p->country), p->year,
                             csv_field(p->partner), num10(p->exports), num10(p->imports));
      }
    }
  }
  {
    // one column per sector code (in the order first met), one row per country, year and measure
    std::vector<std::string> codes;
    for (const auto& t : tables)
      for (const auto& s : t.sectors)
        if (std::find(codes.begin(), codes.end(), s.sector) == codes.end()) codes.push_back(s.sector);
    auto out = open("sectors.csv");
    out << "source,country,year,measure";
    for (const auto& c : codes) out << ',' << csv_field(c);
    out << '\n';
    for (const auto& t : tables) {
      std::map<std::pair<std::string, int>, std::map<std::string, const Sector*>> groups;
      std::vector<std::pair<std::string, int>> order;
      for (const auto& s : t.sectors) {
        auto& g = groups[{s.country, s.year}];
        if (g.empty()) order.emplace_back(s.country, s.year);
        g[s.sector] = &s;
      }
      for (const auto& key : order)
        for (const bool production : {true, false}) {
          out << fmt::format("{},{},{},{}", csv_field(t.source), csv_field(key.first), key.second,
                             production ? "production" : "consumption");
          const auto& g = groups[key];
          for (const auto& c : codes) {
            const auto it = g.find(c);
            out << ',' << (it == g.end() ? std::string() : num10(production ? it->second->production : it->second->consumption));
          }
          out << '\n';
        }
    }
  }
  return {"sources.csv", "values.csv", "partners.csv", "sectors.csv"};
}

std::map<std::string, std::string> embedded_default() {
  std::map<std::string, std::string> m;
  for (const char* f : {"sources.csv", "values.csv", "partners.csv", "sectors.csv"})
    m[f] = std::string(detail::embedded_file(std::string("ledger/") + f));
  return m;
}

}  // namespace panocarbon::ledger

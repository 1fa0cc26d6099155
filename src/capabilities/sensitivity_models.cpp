// Sensitivity model files (docs/sensitivity.md): test functions (Ishigami, G-function, linear), an IPCC
// inventory (rows' amounts and factors as parameters) and an LCA product system (exchanges as multipliers).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cmath>
#include <numbers>
#include <set>

#include "core/text.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/factors.hpp"
#include "panocarbon/inventory.hpp"
#include "panocarbon/provenance.hpp"
#include "panocarbon/store.hpp"
#include "panocarbon/sensitivity_models.hpp"

namespace panocarbon::sens {

namespace {
using nlohmann::json;

// Reads one model file's JSON, naming the file and the field in every error.
struct Reader {
  std::string file;
  Error bad(const std::string& field, const std::string& msg, ErrorCategory c = ErrorCategory::InvalidInput) const {
    return Error(c, msg, ErrorContext{file, 0, 0, field});
  }
  void keys(const json& j, const std::string& field, std::initializer_list<const char*> allowed) const {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return it.key() == a; })) continue;
      std::string list;
      for (const char* a : allowed) list += std::string(list.empty() ? "" : ", ") + a;
      throw bad(field.empty() ? it.key() : field + "." + it.key(),
                fmt::format("unknown key '{}'; {} takes: {}", it.key(), field.empty() ? "a model file" : field, list));
    }
  }
  const json& need(const json& j, const std::string& key, const std::string& field) const {
    if (!j.contains(key))
      throw bad(field.empty() ? key : field + "." + key, fmt::format("missing \"{}\"", key));
    return j.at(key);
  }
  std::string name(const std::string& field, const std::string& key) const {
    return field.empty() ? key : field + "." + key;
  }
  double number(const json& j, const std::string& key, const std::string& field, std::optional<double> def = {}) const {
    if (!j.contains(key)) {
      if (def) return *def;
      throw bad(name(field, key), fmt::format("missing \"{}\" (a number)", key));
    }
    const json& v = j.at(key);
    if (!v.is_number() || !std::isfinite(v.get<double>()))
      throw bad(name(field, key), fmt::format("\"{}\" must be a finite number, not {}", key, v.dump()));
    return v.get<double>();
  }
  std::string string(const json& j, const std::string& key, const std::string& field,
                     std::optional<std::string> def = {}) const {
    if (!j.contains(key)) {
      if (def) return *def;
      throw bad(name(field, key), fmt::format("missing \"{}\" (a string)", key));
    }
    const json& v = j.at(key);
    if (!v.is_string() || v.get<std::string>().empty())
      throw bad(name(field, key), fmt::format("\"{}\" must be a non-empty string, not {}", key, v.dump()));
    return v.get<std::string>();
  }
  bool boolean(const json& j, const std::string& key, const std::string& field, bool def) const {
    if (!j.contains(key)) return def;
    if (!j.at(key).is_boolean())
      throw bad(name(field, key), fmt::format("\"{}\" must be true or false, not {}", key, j.at(key).dump()));
    return j.at(key).get<bool>();
  }
  std::vector<double> numbers(const json& j, const std::string& key, size_t n) const {
    const json& v = need(j, key, "");
    if (!v.is_array() || v.size() != n)
      throw bad(key, fmt::format("\"{}\" must be an array of {} numbers, one per parameter", key, n));
    std::vector<double> out;
    for (size_t i = 0; i < n; ++i) {
      if (!v[i].is_number() || !std::isfinite(v[i].get<double>()))
        throw bad(fmt::format("{}[{}]", key, i), fmt::format("must be a finite number, not {}", v[i].dump()));
      out.push_back(v[i].get<double>());
    }
    return out;
  }

  unc::Distribution distribution(const json& j, const std::string& field) const {
    if (!j.is_object())
      throw bad(field, "a distribution is an object such as {\"kind\": \"uniform\", \"minimum\": 0, \"maximum\": 1}");
    keys(j, field, {"kind", "amount", "loc", "scale", "shape", "minimum", "maximum", "negative"});
    const json& k = need(j, "kind", field);
    unc::Distribution d;
    try {
      d.kind = unc::dist_kind(k.is_number_integer() ? std::to_string(k.get<long long>())
                              : k.is_string()       ? k.get<std::string>()
                                                    : k.dump());
    } catch (const Error& e) {
      throw bad(field + ".kind", e.message());
    }
    auto opt = [&](const char* key) { return j.contains(key) ? number(j, key, field) : unc::kNone; };
    d.loc = opt("loc");
    d.scale = opt("scale");
    d.shape = opt("shape");
    d.minimum = opt("minimum");
    d.maximum = opt("maximum");
    d.amount = number(j, "amount", field, 0.0);
    d.negative = boolean(j, "negative", field, false);
    try {
      unc::validate(d, file);
    } catch (const Error& e) {
      throw bad(field, e.message());
    }
    return d;
  }
};

// ---- test functions ------------------------------------------------------------------------------------

// ---- inventory -----------------------------------------------------------------------------------------
ActivityData parse_activity(const std::string& text, const std::string& path) {
  const bool is_json = path.size() >= 5 && path.substr(path.size() - 5) == ".json";
  return is_json ? read_activity_json(text, path) : read_activity_csv(text, path);
}

class InventoryModel final : public Model {
 public:
  struct Target {
    enum Kind { Amount, RowFactor, Factor } kind = Amount;
    size_t row = 0;
    std::string factor;
    bool relative = true;
    double nominal = 0;
  };
  struct Line {
    double slope = 0, offset = 0, gwp = 0;
    uint32_t line = 0;
    std::vector<uint32_t> params;
  };

  InventoryModel(std::vector<Parameter> ps, std::vector<json> targets, const Reader& rd, const std::string& path,
                 std::string text, const FactorLibrary& lib, CalcOptions opt, const std::string& output)
      : params_(std::move(ps)), path_(path), text_(std::move(text)), lib_(lib), opt_(std::move(opt)) {
    const auto& tree = CategoryTree::ipcc2006();
    const ActivityData data = parse_activity(text_, path_);
    InventoryResult r0;
    try {
      r0 = calculate_inventory(data, lib_, tree, opt_);
    } catch (const Error& e) {
      throw e.with_context(ErrorContext{path_});
    }
    if (r0.country_years.size() > 1)
      throw rd.bad("file", fmt::format("{} covers {} country-years ({}); a sensitivity output is one inventory: give a "
                                       "file with one country and year",
                                       path_, r0.country_years.size(), fmt::join(r0.country_years, ", ")));
    // targets
    for (size_t p = 0; p < params_.size(); ++p) {
      const std::string field = fmt::format("parameters[{}].target", p);
      const json& t = targets[p];
      if (!t.is_object())
        throw rd.bad(field, "an inventory parameter needs a \"target\": {\"row\": LINE, \"field\": \"amount\"} or "
                            "{\"factor\": \"FACTOR ID\"}");
      rd.keys(t, field, {"row", "field", "factor", "relative"});
      Target g;
      g.relative = rd.boolean(t, "relative", field, true);
      if (t.contains("row") == t.contains("factor"))
        throw rd.bad(field, "give either \"row\" (a line of the activity file) or \"factor\" (a factor id), not both");
      if (t.contains("row")) {
        const json& lv = t.at("row");
        if (!lv.is_number_integer())
          throw rd.bad(field + ".row", fmt::format("\"row\" is a line number of {}, not {}", path_, lv.dump()));
        const long line = lv.get<long>();
        const auto it = std::find_if(data.rows.begin(), data.rows.end(), [&](const ActivityRow& r) { return long(r.line) == line; });
        if (it == data.rows.end())
          throw rd.bad(field + ".row",
                       fmt::format("no activity row on line {} of {} (its rows are on lines {} to {})", line, path_,
                                   data.rows.empty() ? 0 : data.rows.front().line,
                                   data.rows.empty() ? 0 : data.rows.back().line),
                       ErrorCategory::NotFound);
        g.row = size_t(it - data.rows.begin());
        const std::string f = rd.string(t, "field", field, std::string("amount"));
        if (f == "amount") {
          g.kind = Target::Amount;
          g.nominal = it->amount;
        } else if (f == "factor") {
          g.kind = Target::RowFactor;
          if (std::isnan(it->factor)) {
            std::set<std::string> used;
            for (const auto& l : r0.lines)
              if (l.row == g.row) used.insert(std::string(r0.str(l.factor)));
            throw rd.bad(field + ".field",
                         fmt::format("the row on line {} of {} has no factor of its own (column factor); target a "
                                     "library factor with {{\"factor\": ID}} instead (this row uses: {})",
                                     line, path_, fmt::join(used, ", ")));
          }
          g.nominal = it->factor;
        } else {
          throw rd.bad(field + ".field", fmt::format("\"field\" is \"amount\" or \"factor\", not \"{}\"", f));
        }
      } else {
        g.kind = Target::Factor;
        g.factor = rd.string(t, "factor", field);
        const EmissionFactor* f = lib_.find_factor(g.factor);
        if (!f)
          throw rd.bad(field + ".factor",
                       fmt::format("unknown factor id '{}'; find ids with: panocarbon factors search WORDS", g.factor),
                       ErrorCategory::NotFound);
        if (!std::binary_search(r0.factor_ids_used.begin(), r0.factor_ids_used.end(), g.factor))
          throw rd.bad(field + ".factor", fmt::format("factor '{}' is not used by any row of {}; it uses: {}", g.factor,
                                                      path_, fmt::join(r0.factor_ids_used, ", ")));
        g.nominal = f->value;
      }
      if (!g.relative && g.nominal == 0)
        throw rd.bad(field + ".relative",
                     "the target's value is 0, so an absolute value cannot be turned into a multiplier; give "
                     "\"relative\": true and a multiplier distribution");
      targets_.push_back(g);
    }
    // output
    int cat = -1;
    if (output == "total") {
      output_ = "total";
    } else {
      cat = tree.find(output);
      if (cat < 0)
        throw rd.bad("output", fmt::format("unknown category '{}'; give \"total\" or an IPCC code (did you mean {}?)",
                                           output, fmt::join(tree.suggest(output), ", ")),
                     ErrorCategory::NotFound);
      output_ = tree.at(cat).code;
    }
    auto in_output = [&](const EmissionLine& l) {
      if (l.memo != Memo::None) return false;
      if (cat < 0) return true;
      for (int c = r0.row_category[l.row]; c >= 0; c = tree.parent(c))
        if (c == cat) return true;
      return false;
    };
    // Each line's emissions are affine in the row's amount, the row's factor and the library factor:
    // e = amount × scale [× factor] + offset (offset: minus the CO2 recovered for urea). The slope part is
    // e(2 × amounts) − e(amounts) (exact: doubling is exact in floating point).
    ActivityData doubled = parse_activity(text_, path_);
    for (auto& r : doubled.rows) r.amount *= 2;
    const InventoryResult r2 = calculate_inventory(doubled, lib_, tree, opt_);
    if (r2.lines.size() != r0.lines.size())
      throw Error(ErrorCategory::Internal, "inventory lines differ between two amounts", ErrorContext{path_});
    for (size_t l = 0; l < r0.lines.size(); ++l) {
      const EmissionLine& e0 = r0.lines[l];
      if (!in_output(e0)) continue;
      Line line;
      line.slope = r2.lines[l].emissions_t - e0.emissions_t;
      line.offset = e0.emissions_t - line.slope;
      if (line.offset == 0) line.slope = e0.emissions_t;
      line.gwp = e0.gwp;
      line.line = data.rows[e0.row].line;
      for (uint32_t p = 0; p < targets_.size(); ++p) {
        const Target& g = targets_[p];
        if ((g.kind != Target::Factor && g.row == e0.row) || (g.kind == Target::Factor && r0.str(e0.factor) == g.factor))
          line.params.push_back(p);
      }
      lines_.push_back(std::move(line));
    }
    if (lines_.empty())
      throw rd.bad("output", fmt::format("no row of {} emits into category {} (memo items are not in it)", path_, output_));
    for (size_t p = 0; p < targets_.size(); ++p) {
      const bool used = std::any_of(lines_.begin(), lines_.end(), [&](const Line& l) {
        return std::find(l.params.begin(), l.params.end(), uint32_t(p)) != l.params.end();
      });
      if (!used)
        throw rd.bad(fmt::format("parameters[{}].target", p),
                     fmt::format("parameter '{}' does not change output {} (its target is not in that category or "
                                 "only in memo items); remove it or change the output",
                                 params_[p].name, output_));
    }
  }

  const std::vector<Parameter>& parameters() const override { return params_; }
  std::string kind() const override { return "inventory"; }
  std::string output() const override { return output_; }
  std::string unit() const override { return "t CO2e"; }

  double multiplier(size_t p, double x) const {
    return targets_[p].relative ? x : x / targets_[p].nominal;
  }
  double fast(const double* x) const {
    double y = 0;
    for (const Line& l : lines_) {
      double m = 1;
      for (uint32_t p : l.params) m *= multiplier(p, x[p]);
      const double e = l.slope * m + l.offset;
      if (l.offset != 0 && e < 0)
        throw Error(ErrorCategory::InvalidInput,
                    fmt::format("with these parameter values the CO2 recovered for urea is more than the CO2 the "
                                "ammonia production emits (line {}); narrow the distributions of that row",
                                l.line),
                    ErrorContext{path_, l.line, 0, "parameters"});
      y += e * l.gwp;
    }
    return y;
  }
  std::unique_ptr<Evaluator> evaluator() const override {
    struct E final : Evaluator {
      const InventoryModel* m;
      double evaluate(const double* x) override { return m->fast(x); }
    };
    auto e = std::make_unique<E>();
    e->m = this;
    return e;
  }
  std::optional<double> reference(const double* x) const override {
    ActivityData data = parse_activity(text_, path_);
    std::vector<EmissionFactor> factors = lib_.factors();
    bool factor_changed = false;
    for (size_t p = 0; p < targets_.size(); ++p) {
      const Target& g = targets_[p];
      const double m = multiplier(p, x[p]);
      if (g.kind == Target::Amount) data.rows[g.row].amount *= m;
      if (g.kind == Target::RowFactor) data.rows[g.row].factor *= m;
      if (g.kind == Target::Factor) {
        for (auto& f : factors)
          if (f.id == g.factor) f.value *= m;
        factor_changed = true;
      }
    }
    const FactorLibrary changed = factor_changed ? FactorLibrary(lib_.fuels(), factors, lib_.source()) : FactorLibrary();
    const auto r = calculate_inventory(data, factor_changed ? changed : lib_, CategoryTree::ipcc2006(), opt_);
    if (output_ == "total") return r.total_co2e_t;
    for (const auto& c : totals_by_category(r, CategoryTree::ipcc2006()))
      if (c.code == output_) return c.co2e_t;
    return 0.0;
  }

 private:
  std::vector<Parameter> params_;
  std::vector<Target> targets_;
  std::vector<Line> lines_;
  std::string path_, text_, output_;
  FactorLibrary lib_;
  CalcOptions opt_;
};

// ---- LCA -------------------------------------------------------------------------------------------------
class LcaModel final : public Model {
 public:
  LcaModel(std::vector<Parameter> ps, const std::vector<json>& targets, const Reader& rd,
           std::shared_ptr<const lca::Database> db, lca::Method method, const std::string& process, double amount,
           const std::string& category)
      : params_(std::move(ps)), db_(std::move(db)), method_(std::move(method)) {
    sys_ = lca::build_system(*db_, lca::LinkOptions{});
    mapping_ = lca::map_flows(*db_, method_);
    try {
      demand_.provider = sys_.find_provider(process);
    } catch (const Error& e) {
      throw rd.bad("process", e.message(), e.category());
    }
    demand_.amount = amount;
    category_ = method_.categories.size();
    std::vector<std::string> names;
    for (size_t c = 0; c < method_.categories.size(); ++c) {
      names.push_back(method_.categories[c].name);
      if (method_.categories[c].name == category) category_ = c;
    }
    if (category_ == method_.categories.size())
      throw rd.bad("category", fmt::format("method '{}' has no category '{}'; it has: {}", method_.name, category,
                                           fmt::join(names, ", ")),
                   ErrorCategory::NotFound);
    output_ = category;
    unit_ = method_.categories[category_].unit;
    for (size_t p = 0; p < params_.size(); ++p) {
      const std::string field = fmt::format("parameters[{}].target", p);
      const json& t = targets[p];
      if (!t.is_object())
        throw rd.bad(field, "an lca parameter needs a \"target\": {\"process\": ID, \"flow\": FLOW ID} (a multiplier "
                            "of that exchange)");
      rd.keys(t, field, {"process", "flow", "relative"});
      if (!rd.boolean(t, "relative", field, true))
        throw rd.bad(field + ".relative", "lca parameters are multipliers of the exchange's amount: give \"relative\": "
                                          "true (or leave it out) and a distribution around 1");
      const std::string pq = rd.string(t, "process", field), fq = rd.string(t, "flow", field);
      int32_t col = -1;
      try {
        col = sys_.find_provider(pq);
      } catch (const Error& e) {
        throw rd.bad(field + ".process", e.message(), e.category());
      }
      const int32_t proc = sys_.providers[size_t(col)].process;
      std::set<int32_t> cols;
      for (size_t j = 0; j < sys_.providers.size(); ++j)
        if (sys_.providers[j].process == proc) cols.insert(int32_t(j));
      std::vector<size_t> tech, bio;
      auto flow_matches = [&](int32_t f) {
        return f >= 0 && (db_->flows[size_t(f)].id == fq || db_->flows[size_t(f)].name == fq);
      };
      for (size_t i = 0; i < sys_.technosphere.size(); ++i) {
        const auto& tr = sys_.technosphere[i];
        if (cols.count(tr.col) && flow_matches(sys_.providers[size_t(tr.row)].flow)) tech.push_back(i);
      }
      for (size_t i = 0; i < sys_.biosphere.size(); ++i) {
        const auto& tr = sys_.biosphere[i];
        if (cols.count(tr.col) && flow_matches(sys_.elementary[size_t(tr.row)])) bio.push_back(i);
      }
      if (tech.empty() && bio.empty()) {
        std::set<std::string> flows;
        for (const auto& ex : db_->processes[size_t(proc)].exchanges)
          if (ex.flow >= 0) flows.insert(db_->flows[size_t(ex.flow)].id);
        throw rd.bad(field + ".flow",
                     fmt::format("process '{}' has no linked exchange of flow '{}' in the product system; its flows: {}",
                                 db_->processes[size_t(proc)].id, fq, fmt::join(flows, ", ")),
                     ErrorCategory::NotFound);
      }
      for (size_t i : tech) tech_.push_back({i, uint32_t(p)});
      for (size_t i : bio) bio_.push_back({i, uint32_t(p)});
    }
  }

  const std::vector<Parameter>& parameters() const override { return params_; }
  std::string kind() const override { return "lca"; }
  std::string output() const override { return output_; }
  std::string unit() const override { return unit_; }

  std::unique_ptr<Evaluator> evaluator() const override {
    struct E final : Evaluator {
      const LcaModel* m;
      lca::ProductSystem sys;
      double evaluate(const double* x) override {
        for (const auto& [i, p] : m->tech_) sys.technosphere[i].value = m->sys_.technosphere[i].value;
        for (const auto& [i, p] : m->bio_) sys.biosphere[i].value = m->sys_.biosphere[i].value;
        for (const auto& [i, p] : m->tech_) sys.technosphere[i].value *= x[p];
        for (const auto& [i, p] : m->bio_) sys.biosphere[i].value *= x[p];
        const lca::Solver solver(sys);
        const auto r = lca::calculate(sys, solver, m->method_, m->mapping_, m->demand_);
        return r.impacts[m->category_];
      }
    };
    auto e = std::make_unique<E>();
    e->m = this;
    e->sys = sys_;
    return e;
  }

 private:
  std::vector<Parameter> params_;
  std::shared_ptr<const lca::Database> db_;
  lca::Method method_;
  lca::ProductSystem sys_;
  lca::FlowMapping mapping_;
  lca::Demand demand_;
  size_t category_ = 0;
  std::string output_, unit_;
  std::vector<std::pair<size_t, uint32_t>> tech_, bio_;  // triplet index, parameter
};

// Every number of a model file must be a finite double. nlohmann refuses a literal beyond ±1.8e308 (1e400) with
// an out_of_range that names neither line nor field, so the text is scanned first: a small tracker of the
// JSON path (object keys, array indices) and of the line and column of each number literal. Malformed text
// is left to the parser that follows (the scanner only has to stay within bounds).
void check_numbers_finite(std::string_view text, const std::string& source) {
  struct Frame {
    bool object;
    std::string key;
    size_t index = 0;
    bool expect_key = true;
  };
  std::vector<Frame> stack;
  auto path = [&] {
    std::string f;
    for (const auto& fr : stack) {
      if (fr.object) {
        if (!fr.key.empty()) f += (f.empty() ? "" : ".") + fr.key;
      } else {
        f += fmt::format("[{}]", fr.index);
      }
    }
    return f;
  };
  long line = 1, col = 1;
  size_t i = 0;
  auto advance = [&](size_t n) {
    for (size_t e = std::min(text.size(), i + n); i < e; ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
  };
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"') {
      size_t e = i + 1;
      std::string str;
      while (e < text.size() && text[e] != '"') {
        if (text[e] == '\\' && e + 1 < text.size()) ++e;
        str += text[e++];
      }
      if (!stack.empty() && stack.back().object && stack.back().expect_key) {
        stack.back().key = str;
        stack.back().expect_key = false;
      }
      advance(e + 1 - i);
    } else if (c == '{' || c == '[') {
      stack.push_back(Frame{c == '{', {}, 0, true});
      advance(1);
    } else if (c == '}' || c == ']') {
      if (!stack.empty()) stack.pop_back();
      advance(1);
    } else if (c == ',') {
      if (!stack.empty()) {
        if (stack.back().object) {
          stack.back().expect_key = true;
          stack.back().key.clear();
        } else {
          ++stack.back().index;
        }
      }
      advance(1);
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      size_t e = i;
      while (e < text.size() && (std::isdigit(static_cast<unsigned char>(text[e])) || text[e] == '-' ||
                                 text[e] == '+' || text[e] == '.' || text[e] == 'e' || text[e] == 'E'))
        ++e;
      const std::string token(text.substr(i, e - i));
      const double v = std::strtod(token.c_str(), nullptr);
      if (!std::isfinite(v))
        throw Error(ErrorCategory::InvalidInput,
                    fmt::format("the number {} is beyond the range of a double (about ±1.8e308); every number of a "
                                "model file must be finite: give a smaller value (or change the unit)",
                                token),
                    ErrorContext{source, line, col, path()});
      advance(e - i);
    } else {
      advance(1);
    }
  }
}

}  // namespace

LoadedModel parse_model(std::string_view text, const std::string& source, const std::filesystem::path& base,
                        const ModelContext& ctx) {
  const Reader rd{source};
  json j;
  check_numbers_finite(text, source);
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("not valid JSON at byte {}: {}", e.byte, e.what()), ErrorContext{source});
  } catch (const json::exception& e) {  // out_of_range: a number the scan above let through
    throw Error(ErrorCategory::InvalidInput, fmt::format("not valid JSON: {}", e.what()), ErrorContext{source});
  }
  if (!j.is_object())
    throw Error(ErrorCategory::InvalidInput, "a model file is a JSON object with \"model\" and \"parameters\"",
                ErrorContext{source});
  const std::string kind = rd.string(j, "model", "");
  static const char* const kinds[] = {"ishigami", "g-function", "linear", "inventory", "lca"};
  if (std::find(std::begin(kinds), std::end(kinds), kind) == std::end(kinds))
    throw rd.bad("model", fmt::format("unknown model '{}'; use ishigami, g-function, linear, inventory or lca", kind));
  if (kind == "ishigami") rd.keys(j, "", {"model", "description", "parameters", "output", "a", "b"});
  if (kind == "g-function") rd.keys(j, "", {"model", "description", "parameters", "output", "a"});
  if (kind == "linear") rd.keys(j, "", {"model", "description", "parameters", "output", "coefficients", "intercept"});
  if (kind == "inventory") rd.keys(j, "", {"model", "description", "parameters", "output", "file", "gwp", "edition"});
  if (kind == "lca")
    rd.keys(j, "", {"model", "description", "parameters", "output", "database", "process", "amount", "category",
                    "method", "gwp"});
  const json& pj = rd.need(j, "parameters", "");
  if (!pj.is_array() || pj.empty())
    throw rd.bad("parameters", "\"parameters\" must be a non-empty array of {\"name\", \"distribution\"} objects");
  std::vector<Parameter> ps;
  std::vector<json> targets;
  std::set<std::string> names;
  const bool has_targets = kind == "inventory" || kind == "lca";
  for (size_t i = 0; i < pj.size(); ++i) {
    const std::string field = fmt::format("parameters[{}]", i);
    const json& p = pj[i];
    if (!p.is_object()) throw rd.bad(field, "a parameter is an object with \"name\" and \"distribution\"");
    if (has_targets)
      rd.keys(p, field, {"name", "distribution", "target", "description"});
    else
      rd.keys(p, field, {"name", "distribution", "description"});
    Parameter par;
    par.name = rd.string(p, "name", field);
    if (!names.insert(par.name).second)
      throw rd.bad(field + ".name", fmt::format("parameter '{}' is named twice; give every parameter its own name", par.name));
    par.distribution = rd.distribution(rd.need(p, "distribution", field), field + ".distribution");
    if (has_targets) targets.push_back(rd.need(p, "target", field));
    ps.push_back(std::move(par));
  }
  LoadedModel out;
  out.inputs.push_back(describe_input(source, text));
  const size_t k = ps.size();
  if (kind == "ishigami") {
    if (k != 3) throw rd.bad("parameters", fmt::format("the Ishigami function has 3 parameters, not {}", k));
    const double a = rd.number(j, "a", "", 7.0), b = rd.number(j, "b", "", 0.1);
    out.model = function_model(std::move(ps), [a, b](const double* x) { return ishigami(x, a, b); }, "ishigami",
                               rd.string(j, "output", "", std::string("y")));
  } else if (kind == "g-function") {
    const auto a = rd.numbers(j, "a", k);
    for (size_t i = 0; i < k; ++i)
      if (!(a[i] >= 0)) throw rd.bad(fmt::format("a[{}]", i), fmt::format("G-function coefficients are ≥ 0, not {}", a[i]));
    out.model = function_model(std::move(ps), [a](const double* x) { return g_function(x, a); }, "g-function",
                               rd.string(j, "output", "", std::string("y")));
  } else if (kind == "linear") {
    const auto c = rd.numbers(j, "coefficients", k);
    const double c0 = rd.number(j, "intercept", "", 0.0);
    out.model = function_model(
        std::move(ps),
        [c, c0](const double* x) {
          double y = c0;
          for (size_t i = 0; i < c.size(); ++i) y += c[i] * x[i];
          return y;
        },
        "linear", rd.string(j, "output", "", std::string("y")));
  } else if (kind == "inventory") {
    if (!ctx.library) throw Error(ErrorCategory::Internal, "inventory models need the factor library", ErrorContext{source});
    const std::string rel = rd.string(j, "file", "");
    const std::filesystem::path path = std::filesystem::path(rel).is_absolute() ? std::filesystem::path(rel) : base / rel;
    std::string data;
    try {
      data = read_file(path);
    } catch (const Error& e) {
      throw rd.bad("file", fmt::format("cannot read the activity file {}: {}", path.string(), e.message()), e.category());
    }
    out.inputs.push_back(describe_input(path, data));
    CalcOptions opt;
    opt.gwp = rd.string(j, "gwp", "", std::string("AR6"));
    if (opt.gwp != "AR4" && opt.gwp != "AR5" && opt.gwp != "AR6")
      throw rd.bad("gwp", fmt::format("\"gwp\" is AR4, AR5 or AR6, not '{}'", opt.gwp));
    const double ed = rd.number(j, "edition", "", 2006.0);
    if (ed != 2006 && ed != 2019) throw rd.bad("edition", fmt::format("\"edition\" is 2006 or 2019, not {}", ed));
    opt.edition = int(ed);
    out.model = std::make_unique<InventoryModel>(std::move(ps), std::move(targets), rd, path.string(), std::move(data),
                                                 *ctx.library, opt, rd.string(j, "output", "", std::string("total")));
  } else {  // lca
    const std::string dbname = rd.string(j, "database", "");
    std::shared_ptr<const lca::Database> db = ctx.database;
    if (!db) {
      if (!ctx.store) throw Error(ErrorCategory::Internal, "lca models need the store", ErrorContext{source});
      try {
        db = std::make_shared<const lca::Database>(ctx.store->load_lca_database(dbname));
      } catch (const Error& e) {
        throw rd.bad("database", e.message(), e.category());
      }
    }
    out.inputs.push_back({{"database", dbname}});
    lca::Method method;
    if (j.contains("method")) {
      const std::string m = rd.string(j, "method", "");
      std::optional<lca::Method> stored = ctx.store ? ctx.store->load_lca_method(m) : std::nullopt;
      if (!stored)
        throw rd.bad("method", fmt::format("no stored LCIA method '{}'; import one with: panocarbon lca import-method, "
                                           "or leave \"method\" out for the built-in IPCC 2021 GWP100",
                                           m),
                     ErrorCategory::NotFound);
      method = *stored;
    } else {
      const std::string gwp = rd.string(j, "gwp", "", std::string("AR6"));
      if (gwp != "AR4" && gwp != "AR5" && gwp != "AR6")
        throw rd.bad("gwp", fmt::format("\"gwp\" is AR4, AR5 or AR6, not '{}'", gwp));
      method = lca::builtin_gwp_method(gwp);
    }
    const std::string output = j.contains("category") ? rd.string(j, "category", "")
                                                      : rd.string(j, "output", "", method.categories.empty()
                                                                                       ? std::string("total")
                                                                                       : method.categories[0].name);
    out.model = std::make_unique<LcaModel>(std::move(ps), targets, rd, db, std::move(method),
                                           rd.string(j, "process", ""), rd.number(j, "amount", "", 1.0), output);
  }
  return out;
}

LoadedModel load_model(const std::filesystem::path& file, const ModelContext& ctx) {
  const std::string text = read_file(file);
  return parse_model(text, file.string(), file.parent_path(), ctx);
}

}  // namespace panocarbon::sens

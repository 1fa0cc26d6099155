// USEEIO reader: the USEEIO API's JSON layout (matrix/A.json as a list of rows, sectors.json, demands/...) (see mrio_formats.hpp).
#include "io/mrio_formats.hpp"

#include "io/mrio_formats_detail.hpp"
#include "core/text.hpp"
#include "io/json_number.hpp"

namespace panocarbon::mrio_io {
using namespace detail;
namespace {

nlohmann::json parse_json(const std::string& text, const std::string& file) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    long line = 1, column = 1;
    for (size_t k = 0; k + 1 < e.byte && k < text.size(); ++k) {
      if (text[k] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    fail(fmt::format("is not valid JSON ({}); fix or re-download the file", clip_input(e.what(), 300)), file, line,
         column);
  } catch (const nlohmann::json::exception& e) {  // out_of_range: a number beyond the range of a double (1e400)
    throw io::json_number_error(e, text, file);
  }
}

// 1-based line of byte offset `at` (JSON rows of a pretty-printed file sit on their own lines).
long line_of(const std::string& text, size_t at) {
  return 1 +
         static_cast<long>(std::count(text.begin(), text.begin() + static_cast<long>(std::min(at, text.size())), '\n'));
}

// The USEEIO API writes matrices as a list of rows. Cells that are not numbers are an input error naming
// the row and column labels.
DenseMatrix json_matrix(const std::string& text, const std::string& file, size_t rows, size_t cols,
                        const std::string& rows_from, const std::string& cols_from, const LabelFn& row_label,
                        const LabelFn& col_label) {
  const auto j = parse_json(text, file);
  if (!j.is_array())
    fail("must be a JSON list of rows (the USEEIO API matrix layout: [[a11, a12, ...], [a21, ...], ...])", file);
  if (j.size() != rows)
    fail(fmt::format("has {} rows, expected {} (one per entry of {}); the matrix and {} must come from the same "
                     "model",
                     j.size(), rows, rows_from, rows_from),
         file);
  DenseMatrix m(rows, cols);
  // Where each row starts, for line numbers in messages (only computed on failure).
  auto row_line = [&](size_t i) {
    size_t depth = 0, seen = 0;
    for (size_t k = 0; k < text.size(); ++k) {
      if (text[k] == '[' && ++depth == 2 && seen++ == i) return line_of(text, k);
      if (text[k] == ']') --depth;
    }
    return 0L;
  };
  for (size_t i = 0; i < rows; ++i) {
    const auto& r = j[i];
    if (!r.is_array() || r.size() != cols)
      fail(fmt::format("row {} ({}) has {} values, expected {} (one per entry of {}); the row is ragged", i + 1,
                       in_quotes(row_label(i)), r.is_array() ? r.size() : 0, cols, cols_from),
           file, row_line(i), 0, row_label(i));
    for (size_t c = 0; c < cols; ++c) {
      if (!r[c].is_number())
        fail(fmt::format("{} is not a number (row {} {}, column {} {}); every cell must be a JSON number",
                         in_quotes(r[c].dump()), i + 1, in_quotes(row_label(i)), c + 1, in_quotes(col_label(c))),
             file, row_line(i), static_cast<long>(c + 1), row_label(i) + " / " + col_label(c));
      const double v = r[c].get<double>();
      if (!std::isfinite(v))
        fail(fmt::format("row {} {}, column {} {} is not finite", i + 1, in_quotes(row_label(i)), c + 1,
                         in_quotes(col_label(c))),
             file, row_line(i), static_cast<long>(c + 1), row_label(i) + " / " + col_label(c));
      m(i, c) = v;
    }
  }
  return m;
}

std::string json_string(const nlohmann::json& o, const char* key, const std::string& file, size_t entry,
                        bool required = true) {
  auto it = o.find(key);
  if (it == o.end() || !it->is_string()) {
    if (!required) return {};
    fail(fmt::format("entry {} has no text field \"{}\"; every entry needs one", entry + 1, key), file, 0, 0,
         fmt::format("[{}].{}", entry, key));
  }
  return it->get<std::string>();
}

// Labels of B's rows (flows.json) and C's rows (indicators.json) are used only when the file lists exactly
// one entry per row: the API writes them in row order (field "index"). Otherwise the rows are named by
// number and a note says so, rather than guessing which entries belong to the matrix.
struct RowLabels {
  std::vector<std::string> labels, units;
  bool from_file = false;
};

RowLabels useeio_row_labels(const fs::path& file, size_t rows, const char* fallback, bool is_flow,
                            nlohmann::json& files, nlohmann::json& notes) {
  RowLabels out;
  std::error_code ec;
  if (fs::is_regular_file(file, ec)) {
    const std::string text = read_file(file);
    const auto j = parse_json(text, file.string());
    if (j.is_array() && j.size() == rows) {
      files.push_back(describe_input(file, text));
      std::vector<const nlohmann::json*> ordered(rows, nullptr);
      bool by_index = true;
      for (size_t i = 0; i < rows; ++i) {
        const auto it = j[i].find("index");
        if (it == j[i].end() || !it->is_number_integer() || it->get<long>() < 0 ||
            static_cast<size_t>(it->get<long>()) >= rows || ordered[static_cast<size_t>(it->get<long>())])
          by_index = false;
        else
          ordered[static_cast<size_t>(it->get<long>())] = &j[i];
      }
      for (size_t i = 0; i < rows; ++i) {
        const auto& e = by_index ? *ordered[i] : j[i];
        if (!e.is_object()) fail(fmt::format("entry {} is not an object", i + 1), file.string());
        if (is_flow) {
          // "carbon dioxide|air/unspecified": the compartment keeps air and water releases apart.
          std::string compartment = json_string(e, "category", file.string(), i, false);
          const std::string sub = json_string(e, "subCategory", file.string(), i, false);
          if (!sub.empty()) compartment += "/" + sub;
          out.labels.push_back(json_string(e, "name", file.string(), i) +
                               (compartment.empty() ? "" : "|" + compartment));
        } else {
          out.labels.push_back(json_string(e, "name", file.string(), i));
        }
        out.units.push_back(json_string(e, "unit", file.string(), i, false));
      }
      out.from_file = true;
      return out;
    }
    notes.push_back(
        fmt::format("{} lists {} entries but the matrix has {} rows, so they cannot be matched to its "
                    "rows: rows are named '{} 1'..'{} {}' and have no unit",
                    file.filename().string(), j.is_array() ? j.size() : 0, rows, fallback, fallback, rows));
  } else {
    notes.push_back(fmt::format("{} is missing: rows named by number", file.filename().string()));
  }
  for (size_t i = 0; i < rows; ++i) {
    out.labels.push_back(fmt::format("{} {}", fallback, i + 1));
    out.units.push_back("");
  }
  return out;
}

struct Demand {
  std::string id, type, system, location;
  long year = 0;
  std::vector<double> y;
};

}  // namespace

bool looks_like_useeio(const std::string& folder) {
  std::error_code ec;
  const fs::path d(folder);
  return fs::is_directory(d, ec) && fs::is_regular_file(d / "matrix" / "A.json", ec) &&
         fs::is_regular_file(d / "sectors.json", ec);
}

MrioSystem read_useeio(const std::string& folder) {
  const fs::path dir(folder);
  nlohmann::json files = nlohmann::json::array(), notes = nlohmann::json::array();
  MrioSystem s;
  s.format = "useeio";
  s.source = folder;
  s.name = dir.filename().empty() ? dir.parent_path().filename().string() : dir.filename().string();
  s.monetary_unit = "USD";

  // Sectors, in the order of their "index" (= the rows and columns of A).
  const std::string sectors_file = (dir / "sectors.json").string();
  const auto sj = parse_json(load_required(dir / "sectors.json", "it lists the sectors (rows and columns of A)", files),
                             sectors_file);
  if (!sj.is_array() || sj.empty()) fail("must be a non-empty JSON list of sectors", sectors_file);
  const size_t n = sj.size();
  std::vector<std::string> codes(n), names(n), locations(n);
  {
    std::vector<bool> filled(n, false);
    for (size_t e = 0; e < n; ++e) {
      if (!sj[e].is_object())
        fail(fmt::format("entry {} is not an object", e + 1), sectors_file, 0, 0, fmt::format("[{}]", e));
      size_t k = e;
      if (auto it = sj[e].find("index"); it != sj[e].end()) {
        if (!it->is_number_integer() || it->get<long>() < 0 || static_cast<size_t>(it->get<long>()) >= n ||
            filled[static_cast<size_t>(it->get<long>())])
          fail(fmt::format("entry {} has index {}; indices must be 0..{} without repeats", e + 1, it->dump(), n - 1),
               sectors_file, 0, 0, fmt::format("[{}].index", e));
        k = static_cast<size_t>(it->get<long>());
      }
      filled[k] = true;
      codes[k] = json_string(sj[e], "code", sectors_file, e);
      names[k] = json_string(sj[e], "name", sectors_file, e, false);
      locations[k] = json_string(sj[e], "location", sectors_file, e, false);
    }
  }
  // Multi-region USEEIO (state models) would need demand vectors per region; only one region is read.
  for (size_t k = 1; k < n; ++k)
    if (locations[k] != locations[0])
      fail(fmt::format("sector {} is in location {} but sector 1 in {}; only single-region USEEIO models are "
                       "supported",
                       in_quotes(codes[k]), in_quotes(locations[k]), in_quotes(locations[0])),
           sectors_file, 0, 0, codes[k]);
  s.regions = {locations[0].empty() ? std::string("US") : locations[0]};
  s.sectors = codes;  // codes: unique, stable and free of the encoding damage some names carry
  std::map<std::string, size_t> by_code;
  for (size_t k = 0; k < n; ++k)
    if (!by_code.emplace(io::to_lower(codes[k]), k).second)
      fail(fmt::format("sector code {} appears twice", in_quotes(codes[k])), sectors_file, 0, 0, codes[k]);
  auto sector_label = [&](size_t k) { return codes[k] + (names[k].empty() ? "" : " " + names[k]); };

  // A: coefficient form.
  const std::string a_file = (dir / "matrix" / "A.json").string();
  DenseMatrix A =
      json_matrix(load_required(dir / "matrix" / "A.json", "it is the technical coefficient matrix A", files), a_file,
                  n, n, "sectors.json", "sectors.json", sector_label, sector_label);

  // Demand vectors: demands.json lists them (id, type, ...), demands/<id>.json holds [{sector, amount}].
  std::vector<Demand> demands;
  {
    const fs::path list = dir / "demands.json";
    std::error_code ec;
    std::vector<Demand> listed;
    if (fs::is_regular_file(list, ec)) {
      const std::string t = read_file(list);
      files.push_back(describe_input(list, t));
      const auto j = parse_json(t, list.string());
      if (!j.is_array()) fail("must be a JSON list of demand vectors", list.string());
      for (size_t e = 0; e < j.size(); ++e) {
        Demand d;
        d.id = json_string(j[e], "id", list.string(), e);
        d.type = io::to_lower(json_string(j[e], "type", list.string(), e, false));
        d.system = io::to_lower(json_string(j[e], "system", list.string(), e, false));
        d.location = json_string(j[e], "location", list.string(), e, false);
        if (auto it = j[e].find("year"); it != j[e].end() && it->is_number_integer()) d.year = it->get<long>();
        listed.push_back(std::move(d));
      }
    } else if (fs::is_directory(dir / "demands", ec)) {
      for (const auto& e : fs::directory_iterator(dir / "demands", ec))
        if (e.path().extension() == ".json") listed.push_back({e.path().stem().string(), "", "", "", 0, {}});
      std::sort(listed.begin(), listed.end(), [](const Demand& a, const Demand& b) { return a.id < b.id; });
    }
    if (listed.empty())
      fail(
          "has no demand vectors (demands.json and demands/<id>.json): the final demand Y and gross output x "
          "come from them",
          folder);
    for (auto& d : listed) {
      const fs::path f = dir / "demands" / (d.id + ".json");
      const std::string t = load_required(f, "demands.json lists it as a demand vector", files);
      const auto j = parse_json(t, f.string());
      if (!j.is_array()) fail("must be a JSON list of {\"sector\": ..., \"amount\": ...}", f.string());
      d.y.assign(n, 0.0);
      for (size_t e = 0; e < j.size(); ++e) {
        const std::string sector = json_string(j[e], "sector", f.string(), e);
        // Match by code (the id's first part): some ids carry names whose encoding differs between files.
        const std::string code = io::to_lower(sector.substr(0, sector.find('/')));
        const auto it = by_code.find(code);
        if (it == by_code.end())
          fail(fmt::format("entry {} names sector {}, whose code {} is not in sectors.json; the demand vector "
                           "must come from the same model",
                           e + 1, in_quotes(sector), in_quotes(code)),
               f.string(), line_of(t, t.find(sector)), 0, sector);
        const auto amount = j[e].find("amount");
        if (amount == j[e].end() || !amount->is_number() || !std::isfinite(amount->get<double>()))
          fail(fmt::format("entry {} ({}) has no numeric \"amount\"", e + 1, in_quotes(sector)), f.string(),
               line_of(t, t.find(sector)), 0, sector);
        d.y[it->second] += amount->get<double>();
      }
      demands.push_back(std::move(d));
    }
  }

  // Y and x. The USEEIO demand vectors are alternatives, not categories that add up: "production" is the
  // final demand met by US producers (consumption + exports - imports...), so x = L y_production is gross
  // output; "consumption" is what US final users buy. Summing them as two Y columns would double x. So
  // Y = [y_consumption, y_production - y_consumption]: Y1 = y_production (x consistent with Y), and the
  // first column alone gives the consumption footprint. Without a production vector the first listed vector
  // is y (then x = L y is the output that demand requires).
  const Demand* prod = nullptr;
  const Demand* cons = nullptr;
  for (const auto& d : demands)
    if (d.type == "production" && (!prod || (prod->system != "complete" && d.system == "complete"))) prod = &d;
  for (const auto& d : demands)
    if (d.type == "consumption" && (!cons || (prod && cons->system != prod->system && d.system == prod->system)))
      cons = &d;
  if (prod && cons) {
    s.fd_categories = {cons->id, prod->id + " - " + cons->id};
    s.Y = DenseMatrix(n, 2);
    for (size_t k = 0; k < n; ++k) {
      s.Y(k, 0) = cons->y[k];
      s.Y(k, 1) = prod->y[k] - cons->y[k];
    }
    notes.push_back(fmt::format("Y = [{0}, {1} - {0}] so that Y1 = {1} and x = L {1}", cons->id, prod->id));
  } else {
    const Demand& d = prod ? *prod : demands.front();
    s.fd_categories = {d.id};
    s.Y = DenseMatrix(n, 1);
    for (size_t k = 0; k < n; ++k) s.Y(k, 0) = d.y[k];
    notes.push_back(fmt::format("Y = {} (no consumption/production pair to split)", d.id));
  }
  const long year = prod ? prod->year : demands.front().year;
  if (year) s.name += fmt::format(" ({} USD)", year);

  // A given gross output (commodity output q, or x) wins over the derived one.
  for (const char* name : {"q.json", "x.json"}) {
    const fs::path f = dir / "matrix" / name;
    std::error_code ec;
    if (!fs::is_regular_file(f, ec)) continue;
    const std::string t = read_file(f);
    files.push_back(describe_input(f, t));
    auto j = parse_json(t, f.string());
    if (j.is_array() && j.size() == 1 && j[0].is_array()) j = j[0];  // a 1 x n matrix
    s.x.assign(n, 0.0);
    if (!j.is_array() || j.size() != n)
      fail(fmt::format("must list {} numbers (one per sector in sectors.json)", n), f.string());
    for (size_t k = 0; k < n; ++k) {
      const auto& v = j[k].is_array() && j[k].size() == 1 ? j[k][0] : j[k];  // an n x 1 matrix
      if (!v.is_number())
        fail(fmt::format("entry {} ({}) is not a number", k + 1, in_quotes(codes[k])), f.string(), 0, 0, codes[k]);
      s.x[k] = v.get<double>();
    }
    s.x_given = true;
    notes.push_back(fmt::format("x from matrix/{}", name));
    break;
  }
  if (!s.x_given) notes.push_back("x = (I - A)^-1 Y1 (the files give no gross output)");
  finish_from_coefficients(s, sparse_from_dense(A), a_file);
  ensure_gross_output(s);  // F = B x^ below needs x

  // Extensions: B (flows per USD of output) times x gives flows; C (indicator per flow) characterises them.
  const fs::path b_path = dir / "matrix" / "B.json";
  std::error_code ec;
  if (fs::is_regular_file(b_path, ec)) {
    const std::string bt = read_file(b_path);
    files.push_back(describe_input(b_path, bt));
    const auto bj = parse_json(bt, b_path.string());
    const size_t k = bj.is_array() ? bj.size() : 0;
    const auto flows = useeio_row_labels(dir / "flows.json", k, "B row", true, files, notes);
    const DenseMatrix B = json_matrix(
        bt, b_path.string(), k, n, "flows.json", "sectors.json", [&](size_t i) { return flows.labels[i]; },
        sector_label);
    MrioExtension ghg;
    ghg.name = "ghg";
    ghg.stressors = flows.labels;
    ghg.units = flows.units;
    ghg.F = DenseMatrix(k, n);
    for (size_t i = 0; i < k; ++i)
      for (size_t c = 0; c < n; ++c) ghg.F(i, c) = B(i, c) * s.x[c];
    const fs::path c_path = dir / "matrix" / "C.json";
    if (fs::is_regular_file(c_path, ec)) {
      const std::string ct = read_file(c_path);
      files.push_back(describe_input(c_path, ct));
      const auto cj = parse_json(ct, c_path.string());
      const size_t m = cj.is_array() ? cj.size() : 0;
      const auto ind = useeio_row_labels(dir / "indicators.json", m, "C row", false, files, notes);
      const DenseMatrix C = json_matrix(
          ct, c_path.string(), m, k, "indicators.json", "B's rows (flows)", [&](size_t i) { return ind.labels[i]; },
          [&](size_t i) { return flows.labels[i]; });
      MrioExtension chr;
      chr.name = "ghg_indicators";
      chr.stressors = ind.labels;
      chr.units = ind.units;
      chr.F = DenseMatrix(m, n);
      for (size_t i = 0; i < m; ++i)
        for (size_t f = 0; f < k; ++f) {
          const double c = C(i, f);
          if (c == 0.0) continue;
          for (size_t col = 0; col < n; ++col) chr.F(i, col) += c * ghg.F(f, col);
        }
      notes.push_back("extension ghg_indicators: F = C B x^");
      s.extensions.push_back(std::move(ghg));
      s.extensions.push_back(std::move(chr));
    } else {
      s.extensions.push_back(std::move(ghg));
    }
    notes.push_back("extension ghg: F = B x^; no F_Y (the files hold no direct household emissions)");
  }
  nlohmann::json sector_names = nlohmann::json::object();
  for (size_t k = 0; k < n; ++k) sector_names[codes[k]] = names[k];
  s.provenance = {{"format", "useeio"}, {"files", files}, {"notes", notes}, {"sector_names", sector_names}};
  return s;
}

}  // namespace panocarbon::mrio_io

// Registry entries of the production side: `inventory calc`, `inventory reference` and `demo`.
#include <sstream>

#include "panocarbon/capabilities.hpp"
#include "panocarbon/categories.hpp"
#include "panocarbon/provenance.hpp"
#include "capabilities/entries.hpp"

namespace panocarbon::registry {

namespace {
std::string by_of(const Params& p) { return p.has("by") ? p.str("by") : "category"; }

// The renderings of an inventory: the library's writer in each format (one code path for every front end).
Result inventory_result(InventoryRun run, const Params& p) {
  auto shared = std::make_shared<InventoryRun>(std::move(run));
  const std::string by = by_of(p);
  Result r;
  r.summary = shared->summary;
  r.warnings = shared->result.warnings;
  auto write = [shared, by](const Result& res, std::ostream& out, const char* format) {
    write_inventory(out, shared->data, shared->result, CategoryTree::ipcc2006(), shared->library, by, format,
                    res.provenance);
  };
  r.json = [write](const Result& res) {
    std::ostringstream s;
    write(res, s, "json");
    return nlohmann::json::parse(s.str());
  };
  r.csv = [write](const Result& res, std::ostream& out) { write(res, out, "csv"); };
  r.table = [write](const Result& res, std::ostream& out) { write(res, out, "table"); };
  return r;
}

nlohmann::json inventory_schema() {
  // --by row|category|gas|level=N changes the rows; every form is an object with the GWP set, the rows and
  // the provenance.
  return {{"type", "object"},
          {"required", {"gwp"}},
          {"properties",
           {{"gwp", string_schema("GWP100 set of the CO2e values")},
            {"provenance", {{"type", "object"}}}}}};
}
}  // namespace

void add_inventory_entries(std::vector<Capability>& t) {
  t.push_back({"inventory calc", Domain::Inventory,
               "Computes a production-side greenhouse-gas inventory by the 2006 IPCC Guidelines (Tier 1 defaults, "
               "optional 2019 Refinement, Tier 2 factors per row) from activity data (CSV or JSON: category, "
               "activity, amount, unit, optional country and year). Emissions in tonnes per gas and CO2e with the "
               "chosen GWP100 set, by row, by IPCC category (every level of the tree with a total), or by gas; "
               "biogenic CO2 and international bunkers are memo items outside the total.",
               inventory_schema(),
               {"examples/inventory.csv", "--gwp", "AR6", "--by", "gas"},
               true, false,
               [](Context& ctx, const Params& p) {
                 const std::string file = p.str("file");
                 const std::string text = ctx.text(p, "file");
                 return inventory_result(inventory_calc(ctx, p, {file == "-" ? "stdin" : file, text}), p);
               }});
  t.push_back({"inventory reference", Domain::Inventory,
               "The IPCC reference approach (2006 Guidelines Vol 2 Ch 6): CO2 from fuel supply (production, "
               "imports, exports, bunkers, stock change, excluded carbon) by fuel, optionally compared with the "
               "sectoral approach of an activity file (difference in percent; the Guidelines expect within 5 %).",
               {{"type", "object"}},
               {"examples/fuel_supply.csv", "--compare", "examples/inventory.csv"},
               true, false,
               [](Context& ctx, const Params& p) {
                 const std::string text = ctx.text(p, "file");
                 std::string compare_text;
                 std::optional<NamedInput> compare;
                 if (p.has("compare")) {
                   compare_text = ctx.text(p, "compare");
                   compare = NamedInput{p.str("compare"), compare_text};
                 }
                 auto run = std::make_shared<ReferenceRun>(inventory_reference(ctx, p, {p.str("file"), text}, compare));
                 Result r;
                 r.summary = run->summary;
                 auto write = [run](std::ostream& out, const char* f) { write_reference(out, run->result, f); };
                 r.json = [write](const Result&) {
                   std::ostringstream s;
                   write(s, "json");
                   return nlohmann::json::parse(s.str());
                 };
                 r.csv = [write](const Result&, std::ostream& out) { write(out, "csv"); };
                 r.table = [write](const Result&, std::ostream& out) { write(out, "table"); };
                 return r;
               }});
  t.push_back({"demo", Domain::Inventory,
               "Initialises the database and computes the inventory of the embedded example (a small fictional "
               "country-year), as `inventory calc examples/inventory.csv` does.",
               inventory_schema(),
               {"--gwp", "AR6"},
               true, false,
               [](Context& ctx, const Params& p) {
                 const std::string text(example_inventory_csv());
                 ctx.add_input(describe_input("examples/inventory.csv", text));
                 Result r = inventory_result(inventory_calc(ctx, p, {"examples/inventory.csv", text}), p);
                 auto table = r.table;
                 r.table = [table](const Result& res, std::ostream& out) {
                   out << "panocarbon demo: the inventory of examples/inventory.csv (a small fictional country-year)\n\n";
                   table(res, out);
                 };
                 return r;
               }});
}

}  // namespace panocarbon::registry

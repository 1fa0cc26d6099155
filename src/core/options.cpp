#include "panocarbon/options.hpp"

#include <fmt/format.h>

#include <cmath>

#include "core/csv.hpp"
#include "core/text.hpp"
#include "panocarbon/error.hpp"

namespace panocarbon {

namespace {
using T = OptionType;

OptionSpec opt(std::string name, T type, std::string description, std::optional<std::string> def = std::nullopt) {
  OptionSpec o;
  o.name = std::move(name);
  o.type = type;
  o.description = std::move(description);
  o.default_value = std::move(def);
  return o;
}
OptionSpec positional(std::string name, T type, std::string description) {
  OptionSpec o = opt(std::move(name), type, std::move(description));
  o.positional = true;
  o.required = true;
  return o;
}
OptionSpec choice(std::string name, std::vector<std::string> choices, std::string description, std::string def) {
  OptionSpec o = opt(std::move(name), T::Choice, std::move(description), std::move(def));
  o.choices = std::move(choices);
  return o;
}
OptionSpec bounded(OptionSpec o, double lo, double hi) {
  o.min = lo;
  o.max = hi;
  return o;
}

OptionSpec opt_required(std::string name, T type, std::string description) {
  OptionSpec o = opt(std::move(name), type, std::move(description));
  o.required = true;
  return o;
}
OptionSpec allocation() {
  return choice("allocation", {"as-stored", "none", "physical", "economic", "causal"},
                "Allocation of multi-output processes: as stored in the data (default method, else stored "
                "physical, economic or causal factors), none (the reference product carries all), or one method",
                "as-stored");
}
OptionSpec provider_rule() {
  return choice("provider-rule", {"same-location", "first", "fail"},
                "When a product has several providers and no default: prefer the consumer's location, take the "
                "first (by id), or fail listing them",
                "same-location");
}
OptionSpec providers() {
  OptionSpec o = opt("provider", T::String, "FLOW_ID=PROCESS_ID: link this product to this provider; repeatable");
  o.multiple = true;
  return o;
}
// --database: the name of an LCA database in the store (not a file; --db is the SQLite file).
OptionSpec lca_database(bool required) {
  const std::string what = "an LCA database stored by `lca import` (see `lca databases`), not a file path; --db is "
                           "the SQLite file that holds the databases";
  if (required) return opt_required("database", T::String, "Name of " + what);
  return opt("database", T::String, "Only this database: name of " + what);
}
// Options of the commands that calculate a product system.
std::vector<OptionSpec> lca_common(bool many) {
  OptionSpec process = opt("process", T::String,
                           many ? "Process id or name whose reference product is the functional unit; repeatable "
                                  "(several give a table of results from one factorisation)"
                                : "Process id or name whose reference product is the functional unit");
  process.required = true;
  process.multiple = many;
  return {lca_database(true),
          process,
          opt("amount", T::Double, "Amount of the reference product (in its reference unit, or in --unit)", "1"),
          opt("unit", T::String, "Unit of --amount when not the product's reference unit (kWh for an MJ flow, t, ...)"),
          opt("method", T::String, "LCIA method: the built-in IPCC 2021 GWP100, or a stored method's name",
              "IPCC 2021 GWP100"),
          choice("gwp", {"AR4", "AR5", "AR6"},
                 "GWP100 set of the built-in method (IPCC AR4, AR5 or AR6). UNFCCC reporting uses AR5; ISO 14067 "
                 "uses the latest (AR6)",
                 "AR6"),
          allocation(),
          provider_rule(),
          providers(),
          opt("waive-unmapped", T::Bool,
              "Go on when greenhouse-gas flows of the inventory have no factor in the method (they are listed)",
              "false"),
          choice("format", {"table", "csv", "json"}, "Output format", "table")};
}
std::vector<OptionSpec> with(std::vector<OptionSpec> a, std::vector<OptionSpec> b) {
  // the extra options go before --format, which stays last
  const OptionSpec f = a.back();
  a.pop_back();
  a.insert(a.end(), b.begin(), b.end());
  a.push_back(f);
  return a;
}

OptionSpec lca_verbose() {
  return opt("verbose", T::Bool, "Report the phase times (load, link, factorise, solve) and the solver's fill-in on stderr",
             "false");
}

std::vector<CommandSpec> build_specs() {
  const OptionSpec gwp = choice("gwp", {"AR4", "AR5", "AR6"},
                                "GWP100 set used for CO2e (IPCC AR4, AR5 or AR6; AR6 separates fossil and "
                                "non-fossil CH4)",
                                "AR5");
  const OptionSpec edition = choice("edition", {"2006", "2019"},
                                    "Edition of the IPCC default factors: 2006 Guidelines, or the 2019 Refinement "
                                    "where it changed a default",
                                    "2006");
  const OptionSpec format = choice("format", {"table", "csv", "json"}, "Output format", "table");
  OptionSpec mrio_path = positional(
      "path", T::Path, "MRIO: pymrio/EXIOBASE folder or .zip, Eora26 folder, OECD ICIO CSV, or USEEIO folder");
  const OptionSpec mrio_format = choice("format", {"table", "csv", "json"}, "Output format", "table");
  OptionSpec extension = opt("extension", T::String, "Only this extension (satellite account); repeatable");
  extension.multiple = true;
  OptionSpec stressors = opt("stressor", T::String,
                             "Only this stressor (exact name, or the part before '|'); repeatable");
  stressors.multiple = true;
  OptionSpec required_stressor = opt("stressor", T::String, "Stressor (exact name, or the part before '|')");
  required_stressor.required = true;
  OptionSpec required_stressors = opt("stressor", T::String,
                                      "Stressor (exact name, or the part before '|'); repeatable (one matrix each)");
  required_stressors.required = true;
  required_stressors.multiple = true;
  OptionSpec regions = opt("region", T::String, "Only this region; repeatable");
  regions.multiple = true;
  OptionSpec required_region = opt("region", T::String, "Region whose final demand is traced");
  required_region.required = true;
  OptionSpec required_out = opt("out", T::Path, "Folder to write");
  required_out.required = true;
  OptionSpec mrio_gwp = choice("gwp", {"AR4", "AR5", "AR6"},
                               "Also characterise each extension's greenhouse gases into one CO2e stressor, "
                               "named 'GHG (CO2e, SET)', with this GWP100 set (default: none, no CO2e). UNFCCC "
                               "reporting uses AR5; ISO 14067 uses the latest (AR6)", "");
  mrio_gwp.default_value.reset();
  const OptionSpec solver = choice("solver", {"auto", "dense", "mixed", "sparse", "iterative"},
                                   "Linear solver for I - A: dense LU (double), mixed (single-precision LU refined "
                                   "in double), sparse LU (UMFPACK), iterative (GMRES on the sparse A, preconditioned "
                                   "by the domestic blocks; an LU if it stalls); auto: dense up to 2,000 sectors, "
                                   "iterative above", "auto");
  const OptionSpec threads = bounded(opt("threads", T::Int, "Parser threads (0 = all cores)", "0"), 0, 1024);
  // Monte Carlo: every command takes the same three (recorded in the run log with the other options).
  const OptionSpec draws = bounded(opt("draws", T::Int, "Monte Carlo draws", "1000"), 1, 1e10);
  const OptionSpec seed = bounded(opt("seed", T::Int,
                                      "Seed of the random numbers (default: a new one, printed and recorded in the "
                                      "run log; the same seed gives the same numbers on any threads or MPI ranks)"),
                                  0, 9007199254740991.0);
  const OptionSpec mc_threads = bounded(opt("threads", T::Int, "Threads per process (0 = all cores)", "0"), 0, 1024);
  const OptionSpec progress = opt("progress", T::Bool, "Progress bar with draws/s on stderr (default: when a terminal)");
  const OptionSpec mc_verbose = opt("verbose", T::Bool, "Report the draws' timings, draws/s, threads and MPI ranks on stderr",
                                    "false");
  std::vector<CommandSpec> specs = {
      {"db init", "Create or migrate the database and load the project's factor library", {}},
      {"db info", "Show the database: path, schema version, datasets, counts, recent runs", {}},
      {"db repair", "Check the database (integrity check) and mark runs whose process is gone as failed", {}},
      {"factors list",
       "List emission factors, optionally filtered",
       {opt("activity", T::String, "Only factors of this fuel or product (case-insensitive)"),
        opt("gas", T::String, "Only this gas (CO2, CH4, N2O, CF4, ...)"),
        opt("category", T::String, "Only factors that apply to this IPCC category"),
        choice("edition", {"any", "2006", "2019"}, "Only factors of this edition", "any"),
        bounded(opt("limit", T::Int, "At most this many rows", "1000"), 1, 1e9), format}},
      {"factors search",
       "Full-text search over factors, fuels and IPCC categories",
       {positional("query", T::String, "Words to search for, e.g. \"diesel trucks\" (at most 20 words, 500 bytes)"),
        bounded(opt("limit", T::Int, "At most this many results", "20"), 1, 10000), format}},
      {"factors show",
       "Show one factor (or fuel) with its value, bounds and citation",
       {positional("id", T::String, "Factor id, e.g. ipcc2006.v2c1.t1_4.natural_gas.co2, or a fuel name"), format}},
      {"gwp list",
       "List the GWP100 values of a set",
       {[] {
          OptionSpec o = choice("gwp", {"AR4", "AR5", "AR6"}, "GWP100 set (IPCC AR4, AR5 or AR6)", "AR6");
          o.aliases = {"set"};
          return o;
        }(),
        format}},
      {"inventory calc",
       "Compute a production-side (IPCC) inventory from an activity-data CSV or JSON file",
       {positional("file", T::Path, "Activity data: CSV or JSON (see docs/inventory.md); - reads standard input"),
        gwp, edition,
        opt("by", T::String, "Aggregation: row, category, gas or level=N (N = 1..6)", "row"), format,
        opt("country", T::String, "Only rows of this country (the file's country column)"),
        bounded(opt("year", T::Int, "Only rows of this year (the file's year column)"), 1750, 2200),
        opt("skip-missing", T::Bool,
            "Skip gases that have no default factor for a row's category (listed as warnings) instead of failing",
            "false")}},
      {"inventory reference",
       "IPCC reference approach for CO2 from fuel combustion, optionally compared with the sectoral approach",
       {positional("file", T::Path, "Fuel supply CSV: fuel,unit,production,imports,exports,international_bunkers,"
                                    "stock_change[,excluded] (see docs/inventory.md)"),
        opt("compare", T::Path, "Activity-data file of the sectoral approach for the same country and year"),
        edition, format}},
      {"inventory uncertainty",
       "Uncertainty of an inventory: IPCC Approach 1 (error propagation, with trend uncertainty) or Approach 2 "
       "(Monte Carlo, factors shared across rows drawn once)",
       {positional("file", T::Path, "Activity data (as `inventory calc`); uncertainty_pct per row, else the factor "
                                    "library's 95 % bounds"),
        choice("approach", {"1", "2"}, "IPCC Vol 1 Ch 3 Approach 1 (propagation) or 2 (Monte Carlo)", "2"),
        gwp, edition, draws, seed, mc_threads, progress,
        opt("by", T::String, "Rows of the report: category (every level), level=N, or gas", "category"),
        bounded(opt("base-year", T::Int, "Approach 1: base year of the trend uncertainty (the file holds both years)"),
                1750, 2200),
        bounded(opt("year", T::Int, "Year reported (default: the file's only or latest year)"), 1750, 2200),
        opt("country", T::String, "Only rows of this country"),
        bounded(opt("activity-uncertainty", T::Double,
                    "Default uncertainty of activity data (half-width of the 95 % interval, %) for rows without "
                    "uncertainty_pct", "5"), 0, 1000),
        opt("skip-missing", T::Bool, "As `inventory calc`", "false"), format}},
      {"mrio info",
       "Describe an MRIO system: format, regions, sectors, final-demand categories, extensions",
       {mrio_path, mrio_format, threads}},
      {"mrio accounts",
       "Regional production, consumption, import and export accounts (pymrio D_*_reg), income-based, shared and "
       "EEBT accounts, with one factorisation of I - A",
       {mrio_path, extension, stressors, regions, mrio_gwp, mrio_format, solver,
        bounded(opt("shared-weight", T::Double, "Consumer's share w in the shared-responsibility account "
                                                 "w * consumption + (1 - w) * production", "0.5"), 0, 1),
        opt("verbose", T::Bool, "Report the solver, its residuals and timings on stderr", "false"),
        opt("all-columns", T::Bool,
            "CSV: also direct_fd (F_Y), income, shared, eebt_consumption, eebt_exports and per-capita columns",
            "false"),
        threads}},
      {"mrio flows",
       "Bilateral embodied emissions (producing region x consuming region), by the MRIO model or EEBT",
       {mrio_path, extension, required_stressors, mrio_gwp,
        choice("method", {"mrio", "eebt"}, "mrio: S L Y by region pair; eebt: exporters' domestic intensities x "
                                           "bilateral trade", "mrio"),
        mrio_format, solver, threads}},
      {"mrio multipliers",
       "Multipliers M = S (I - A)^-1 per sector: stressor per unit of final demand",
       {mrio_path, extension, stressors, mrio_gwp, mrio_format, solver,
        opt("leontief-out", T::Path,
            "Also write L = (I - A)^-1 to this file (pymrio table layout), from the same factorisation; n^2 memory"),
        threads}},
      {"mrio spa",
       "Structural path analysis: the largest supply-chain paths of a region's consumption-based footprint",
       {mrio_path, extension, required_region, required_stressor,
        bounded(opt("top", T::Int, "Number of paths", "20"), 1, 100000),
        [] {
          OptionSpec o = bounded(opt("cutoff", T::Double, "Prune subtrees below this share of the total", "1e-4"), 0, 1);
          o.aliases = {"threshold"};
          return o;
        }(),
        bounded(opt("max-depth", T::Int, "Longest path (tiers upstream of final demand)", "8"), 0, 50), mrio_format,
        threads}},
      {"mrio montecarlo",
       "Monte Carlo over Z, Y and F with relative standard errors; percentiles of every region's production and "
       "consumption accounts",
       {mrio_path, extension, stressors, mrio_gwp,
        bounded(opt("rse-z", T::Double, "Relative standard error of Z (or A) cells", "0.1"), 0, 10),
        bounded(opt("rse-y", T::Double, "Relative standard error of final demand cells", "0.1"), 0, 10),
        bounded(opt("rse-f", T::Double, "Relative standard error of stressor cells", "0.1"), 0, 10),
        choice("rse-model", {"constant", "lenzen"},
               "constant: the RSEs above for every cell; lenzen: RSE falls with cell size as in Lenzen et al. "
               "(2010), the given RSE at the median cell", "constant"),
        choice("distribution", {"lognormal", "normal"},
               "Distribution of each cell, mean-preserving (lognormal keeps signs; normal may flip them)",
               "lognormal"),
        [] {
          OptionSpec o = choice("solver", {"auto", "refine", "factorise"},
                                "How each draw solves I - A': refine (every draw reuses the factorisation of I - A "
                                "as a preconditioner, a fresh factorisation only when it does not converge), "
                                "factorise (factorise I - A' in every draw), or auto (refine unless draw 0's "
                                "iterations cost more than a factorisation)",
                                "auto");
          o.aliases = {"solve"};
          return o;
        }(),
        opt("verbose", T::Bool, "Report the solver, iterations, fallbacks and draws/s on stderr", "false"),
        draws, seed, mc_threads, progress, mrio_format}},
      {"mrio aggregate",
       "Aggregate regions and sectors by concordance CSV files (from,to) and write the pymrio text layout",
       {mrio_path, opt("regions", T::Path, "Region concordance CSV: header line, then 'from,to' lines"),
        opt("sectors", T::Path, "Sector concordance CSV: header line, then 'from,to' lines"),
        required_out, threads}},
      {"mrio stored",
       "Regional accounts stored by earlier `mrio accounts` runs, queried without recomputing",
       {opt("system", T::String, "System name or source path (default: all)"),
        regions, stressors,
        bounded(opt("year", T::Int, "Only systems of this year (from the path or name, e.g. IOT_2011_pxp)"), 1950, 2100),
        mrio_format}},
      {"lca import",
       "Import an LCA database (openLCA JSON-LD folder or .zip, EcoSpold2 .spold folder or .zip) into the store",
       {positional("path", T::Path, "JSON-LD or EcoSpold2 folder or .zip"),
        opt("name", T::String,
            "Name of the database in the store, what --database takes later (default: the file or folder name)"),
        format}},
      {"lca import-method",
       "Import an LCIA method: openLCA's factor CSV (LCIA category,Flow,...,Factor) or a JSON-LD method package",
       {positional("path", T::Path, "Factor CSV, or JSON-LD folder or .zip with lcia_methods/"),
        opt("name", T::String, "Method name (a JSON-LD package with several methods: which one)"), format}},
      {"lca databases", "LCA databases in the store", {format}},
      {"lca search",
       "Full-text search over the processes and flows of the stored LCA databases",
       {positional("query", T::String, "Words to find (all must match; prefixes match)"),
        lca_database(false),
        bounded(opt("limit", T::Int, "At most this many hits", "20"), 1, 100000),
        choice("kind", {"any", "process", "flow"},
               "Only hits of this kind: process (what --process of `lca calc` takes), flow, or any", "any"),
        format}},
      {"lca calc", "Life cycle impact of one or more processes' products (matrix LCA, one factorisation)",
       with(lca_common(true), {lca_verbose()})},
      {"lca inventory", "Life cycle inventory: the elementary flows of one process's product",
       with(lca_common(false), {lca_verbose()})},
      {"lca contributions", "Direct contribution of each process (or location, or category) to one impact category",
       with(lca_common(false),
            {opt("category", T::String, "Impact category (default: the method's first, `total`)"),
             choice("by", {"process", "location", "category"}, "Group the contributions by", "process"),
             opt("upstream", T::Bool,
                 "Upstream totals instead of direct contributions: each process's total output with its whole "
                 "supply chain (they overlap, so they do not add up to the total)",
                 "false"),
             bounded(opt("top", T::Int, "Only the largest N (0 = all)", "0"), 0, 1e9), lca_verbose()})},
      {"lca tree", "Upstream tree of one process's product for one impact category, pruned by a cut-off",
       with(lca_common(false),
            {opt("category", T::String, "Impact category (default: the method's first, `total`)"),
             bounded(opt("cutoff", T::Double, "Prune branches below this share of the total", "0.01"), 0, 1),
             bounded(opt("max-depth", T::Int, "Deepest level shown", "8"), 0, 1000), lca_verbose()})},
      {"lca matrices", "Write the technosphere and biosphere matrices (triplets) and their indices as CSV",
       {lca_database(true), required_out, allocation(), provider_rule(),
        providers()}},
      {"lca montecarlo",
       "Monte Carlo LCA from the database's uncertainty (distributions and pedigree); one symbolic factorisation "
       "reused by every draw; percentiles per impact category and the processes that contribute most to the variance",
       with(lca_common(false),
            {draws, seed, mc_threads, progress, mc_verbose,
             choice("pedigree", {"ciroth2016", "ecoinvent3"},
                    "Pedigree scores without a stated distribution become a lognormal σ by this convention",
                    "ciroth2016"),
             bounded(opt("top", T::Int, "Processes listed as contributors to the variance", "10"), 0, 1e9)})},
      {"lca footprint",
       "Product carbon footprint (ISO 14067): run a study file end to end; write report.md, report.html and pact.json",
       {positional("study", T::Path, "Study JSON (see docs/lca-footprint.md)"), required_out}},
      // --- natural sinks, methane, forest land (issue 6; docs/natural-sinks.md, natural-methane.md, afolu.md) ---
      {"natural sinks",
       "Global Carbon Budget 2019 (Friedlingstein et al. 2019): fossil, land-use change, atmospheric growth, ocean "
       "and land sinks, budget imbalance per year, with the budget identity's residual and the models' ranges",
       {opt_required("data", T::Path,
                     "Folder of the Global Carbon Budget 2019 CSV files global-carbon-budget.csv, land-use-change.csv, "
                     "ocean-sink.csv and terrestrial-sink.csv: the sheets of the Global Carbon Project's "
                     "Global_Carbon_Budget_2019v1.0.xlsx (globalcarbonproject.org/carbonbudget, ICOS "
                     "doi:10.18160/gcp-2019) saved as CSV (docs/natural-sinks.md)"),
        bounded(opt("year", T::Int, "Only this year"), 1750, 2200),
        bounded(opt("from", T::Int, "First year"), 1750, 2200), bounded(opt("to", T::Int, "Last year"), 1750, 2200),
        choice("unit", {"GtC", "GtCO2"}, "Unit of the fluxes (GtCO2 = GtC x 44/12)", "GtC"),
        opt("no-store", T::Bool, "Do not write the fluxes to the database (natural_fluxes)", "false"), format}},
      {"natural methane",
       "Natural CH4 sources from the Global Methane Budget (Saunois et al. 2020, Table 3): prior global totals "
       "with min-max ranges, optionally shared out over regions in proportion to the user's regional fluxes",
       {opt_required("data", T::Path,
                     "The Global Methane Budget 2020 Table 3 workbook (.xlsx; Saunois et al. 2020, ESSD 12, "
                     "1561-1623, doi:10.5194/essd-12-1561-2020, published with the paper and by the Global Carbon "
                     "Project at globalcarbonproject.org/methanebudget; docs/natural-methane.md)"),
        choice("period", {"2008-2017", "2000-2009", "2017"}, "Period of the estimates", "2008-2017"),
        choice("approach", {"bottom-up", "top-down", "both"}, "Bottom-up (inventories, models) or top-down "
                                                               "(inversions) estimates", "both"),
        opt("all", T::Bool, "Also the anthropogenic sources, the sinks and the budget rows", "false"),
        opt("scale-file", T::Path, "CSV region,source,flux: the user's regional fluxes (any consistent unit); the "
                                   "global prior of each source is shared out in proportion (docs/natural-methane.md)"),
        opt("no-store", T::Bool, "Do not write the fluxes to the database (natural_fluxes)", "false"), format}},
      {"natural afolu",
       "IPCC 2006 Vol 4 Tier 1 forest land remaining forest land: biomass carbon by gain-loss (Eq 2.7, 2.9-2.14) "
       "or stock-difference (Eq 2.8), and fires (Eq 2.27: CO2, CH4, N2O), per row with Approach 1 ranges, "
       "national-inventory (managed land) and direct-anthropogenic totals",
       {positional("file", T::Path, "Forest and fire activity data CSV (see docs/afolu.md): id,method,region,year,"
                                    "climate,forest_type,area_ha,growth|growth_id,r|r_id,cf|cf_id,wood_removals_m3,"
                                    "bcef_r|bcef_r_id,...,vegetation,mb_cf,managed,driver"),
        opt("no-store", T::Bool, "Do not write the fluxes to the database (natural_fluxes)", "false"), format}},
      {"sensitivity sobol",
       "Global sensitivity: Sobol first- and total-order indices (Saltelli 2010, Jansen) with bootstrap confidence "
       "intervals, of a model whose parameters are named in a JSON file",
       {positional("model", T::Path, "Model file (JSON, see docs/sensitivity.md): an inventory or LCA calculation "
                                      "or a test function (ishigami, g-function, linear), and its named parameters"),
        [] {
          OptionSpec o = bounded(opt("draws", T::Int,
                                     "Monte Carlo draws: the base sample size N of the Saltelli design (model runs: N "
                                     "x (parameters + 2))",
                                     "1024"),
                                 2, 1e9);
          o.aliases = {"samples"};
          return o;
        }(),
        bounded(opt("bootstrap", T::Int, "Bootstrap resamples for the confidence intervals", "200"), 0, 1e6),
        seed, mc_threads, progress, mc_verbose, format}},
      {"sensitivity morris",
       "Global sensitivity screening: Morris elementary effects (mu, mu*, sigma) of a model file's parameters",
       {positional("model", T::Path, "Model file (JSON, see docs/sensitivity.md)"),
        bounded(opt("trajectories", T::Int, "Trajectories r (model runs: r x (parameters + 1))", "20"), 2, 1e9),
        bounded(opt("levels", T::Int, "Grid levels p (even; step p/(2(p-1)))", "4"), 2, 1000), seed, mc_threads,
        progress, mc_verbose, format}},
      // --- natural fires (issue 6; docs/natural-fires.md) ---
      {"natural fire",
       "Fire emissions from a GFED4.1s HDF5 file (or the same data in the GFED NetCDF layout): dry matter burned x "
       "GFED4 emission factors by fire type, summed by GFED basis region (or country with --mask), species and month",
       {positional("file", T::Path, "GFED4.1s HDF5 file (/emissions/MM/DM, /emissions/MM/partitioning/DM_<TYPE>, "
                                    "/ancill/grid_cell_area, /ancill/basis_regions) or NetCDF (DM, DM_<TYPE> over "
                                    "time x lat x lon, grid_cell_area, basis_regions)"),
        [] {
          OptionSpec o = bounded(opt("year", T::Int, "Year of the file (checked against a year in its name)"), 1900,
                                 2200);
          o.required = true;
          return o;
        }(),
        opt("mask", T::Path, "Country mask on the emissions grid: GeoTIFF, NetCDF classic / NetCDF-4, or HDF5 with an "
                             "integer /mask; ISO 3166-1 numeric codes (reported as alpha-3), 0 / nodata = none"),
        opt("mask-variable", T::String, "Variable of a NetCDF / HDF5 mask (default: mask, country, countries, "
                                        "country_code, else the first 2-D integer variable)"),
        opt("mask-names", T::Path, "CSV code,name naming the mask codes (replaces the ISO 3166-1 alpha-3 names; codes "
                                   "not listed are reported as numbers)"),
        opt("managed-mask", T::Path, "Managed-land mask on the emissions grid (same formats and checks as --mask): "
                                     "integer 1 = managed land, 0 / nodata = unmanaged; splits every result into "
                                     "managed / unmanaged land (CSV: a last column managed 1/0) and tags the stored "
                                     "records' management by it instead of by fire type"),
        opt("managed-mask-variable", T::String, "Variable of a NetCDF / HDF5 managed-land mask (default: managed, "
                                                "mask, else the first 2-D integer variable)"),
        bounded(opt("dm-uncertainty", T::Double, "Dry matter burned: 95 % half-width in percent, one systematic "
                                                 "error for all cells, months and types (0 = none)", "0"),
                0, 1000),
        [] {
          OptionSpec o = opt("species", T::String, "Species, comma-separated (default: every row of the table)");
          o.multiple = true;
          return o;
        }(),
        opt("months", T::String, "Months 1..12, comma-separated (default: all twelve)"),
        opt("emission-factors", T::Path, "GFED4_Emission_Factors.txt, the GFED4 emission factor table (default: "
                                         "$PANOCARBON_GFED_EF; required when that is not set)"),
        opt("no-store", T::Bool, "Do not open the database (no run log, nothing in natural_fluxes)", "false"),
        format}},
      {"natural fire-tier1",
       "Fire emissions by IPCC 2006 Vol 4 Ch 2 Eq 2.27 from area burned per vegetation type (Tables 2.4, 2.5)",
       {positional("file", T::Path, "CSV vegetation,area_ha[,mb_cf_t_per_ha] (vegetation types of "
                                    "data/ipcc2006_fire.csv)"),
        [] {
          OptionSpec o = opt("species", T::String, "Species, comma-separated (default CO2,CH4,N2O,CO,NOx)");
          o.multiple = true;
          return o;
        }(),
        bounded(opt("year", T::Int, "Year stored with the results"), 1900, 2200),
        bounded(opt("area-uncertainty", T::Double, "Area burned: 95 % half-width in percent (0 = exact)", "0"), 0,
                1000),
        opt("region", T::String, "Country or region stored with the results", "World"),
        opt("no-store", T::Bool, "Do not write the fluxes to the database (natural_fluxes)", "false"), format}},
      // --- the natural side of the account (issue 6; docs/natural-account.md) ---
      {"natural account",
       "The natural side of the account from the database's natural_fluxes, in t CO2-e per module and in total: "
       "national-inventory view (managed land), global-carbon-budget view (direct anthropogenic), their "
       "difference, and the natural remainder, with ranges",
       {opt("region", T::String, "Only fluxes of this region (as stored: ISO code, name, GFED region, World)"),
        bounded(opt("year", T::Int, "Only fluxes of this year"), 1750, 2200),
        opt("all-runs", T::Bool, "Every stored run (default: the latest run of each command)", "false"),
        choice("gwp", {"AR4", "AR5", "AR6"},
               "GWP100 set of every CO2e value (IPCC AR4, AR5 or AR6); UNFCCC reporting uses AR5; ISO 14067 uses "
               "the latest (AR6)",
               "AR5"),
        format}},
      // --- the panoramic ledger (issue 13; docs/ledger.md) ---
      {"ledger build",
       "Compute the panoramic ledger from what PATH holds (MRIO years with a CO2 account, GCB 2019 national series, "
       "a ledger folder such as data/ledger) and store it, replacing each source it rebuilds",
       {[] {
          OptionSpec o = positional("path", T::Path,
                                    "Folder of MRIO years (pymrio layout with a CO2 extension, e.g. a WIOD 2013 "
                                    "folder wiod2013-co2 holding 2000 ... 2010), one year folder, a GCB 2019 national "
                                    "folder, or a ledger folder (data/ledger); several may be given");
          o.multiple = true;
          o.required = false;
          return o;
        }(),
        opt("default", T::Bool, "Also load the embedded default dataset (GCB 2019 from 1990 and the WIOD 2000-2010 "
                                "national accounts, compiled into panocarbon: no files needed)", "false"),
        bounded(opt("threads", T::Int, "Threads: years in parallel, or the draws of each year with --draws "
                                       "(0 = all cores)", "0"), 0, 1024),
        bounded(opt("draws", T::Int, "Monte Carlo draws per MRIO year for the ranges (2.5 and 97.5 %); 0 = none",
                    "0"), 0, 1e7),
        bounded(opt("seed", T::Int, "Seed of the Monte Carlo draws (the same seed gives the same ranges on any "
                                    "threads or MPI ranks)", "0"), 0, 9007199254740991.0),
        bounded(opt("from-year", T::Int, "GCB: leave out years before this one (0 = every year of the files)", "0"),
                0, 2200),
        progress, format}},
      {"ledger info",
       "The ledger held in the database: its sources (dataset, version, citation, years, countries, run id), every "
       "year held and the indicators",
       {format}},
      {"ledger export",
       "Write the ledger held in the database (or, when it holds none, the embedded default) as the CSV folder "
       "that `ledger build` reads (the layout of data/ledger)",
       {required_out,
        bounded(opt("top-partners", T::Int, "Keep the largest partners per country and year (0 = all)", "10"), 0,
                100000),
        format}},
      {"account",
       "The ledger of a country (or of every country with --all): production, consumption, imports, exports, "
       "net transfer, per capita, natural, one row per indicator and source, in Mt CO2",
       {opt("country", T::String, "ISO 3166-1 alpha-3 code (CHN) or name (China); RoW for WIOD's rest of the world"),
        bounded(opt("year", T::Int, "Only this year (default: every year held)"), 1700, 2200),
        opt("all", T::Bool, "Every country (the world table); give --country or --all", "false"),
        opt("indicator", T::String, "Only this indicator (production, consumption, imports, exports, net_transfer, "
                                    "production_per_capita, consumption_per_capita, natural, ...)"),
        opt("source", T::String, "Only this source (wiod2013-co2/2009) or dataset (wiod2013-co2, gcb2019)"),
        opt("per-capita", T::Bool, "Only the per-capita indicators (t CO2 per person)", "false"), format}},
      // --- industrial processes, CBAM and avoided emissions (issue 15; docs/process.md, cbam.md, avoided.md) ---
      {"process simulate",
       "Mass and energy balance of a process route (crude steel, cement, aluminium, ammonia/urea, hydrogen) for an "
       "output: unit activities, direct, indirect (electricity x grid factor) and precursor emissions per tonne, "
       "with the mass-balance residual of every unit",
       {positional("route", T::Path, "Route model JSON (docs/process.md; examples/process/routes/)"),
        bounded(opt("output", T::Double, "Output of the route's product in its unit (t); default: the route's own"),
                0, 1e15),
        [] {
          OptionSpec o = opt("set", T::String,
                             "Override a parameter: unit.param=value (e.g. kiln.capture_rate=0.9) or "
                             "route.param=value (e.g. route.grid_factor_t_per_mwh=0.5703); repeatable");
          o.multiple = true;
          return o;
        }(),
        format}},
      {"process optimize",
       "Least-cost linear programme over routes, regions and periods (commodity balances with trade, capacities, "
       "build limits, resource limits, quality rules, emission caps, carbon price), solved with COIN-OR Clp (Cbc for "
       "integer builds): status, objective, activities, duals (the cap's dual is the marginal abatement cost)",
       {positional("model", T::Path, "Optimisation model JSON (docs/process.md; examples/process/models/)"),
        bounded(opt("cap", T::Double, "Emission cap on the model's total over all periods, t CO2e (replaces the model's "
                                      "own total cap)"),
                0, 1e18),
        bounded(opt("price", T::Double, "Carbon price, USD per t CO2e, added to the cost of every emission (replaces the "
                                        "model's own)"),
                0, 1e9),
        opt("integer", T::Bool, "Solve build decisions declared integer with Cbc (branch and bound)", "false"),
        opt("show-lp", T::Bool, "Add the linear programme in CPLEX LP format to the JSON (field lp), for a second "
                                "solver such as glpsol", "false"),
        format}},
      {"process macc",
       "Marginal abatement cost curve: the integrated curve of an optimisation model by sweeping its emission cap "
       "(cost, abatement and the cap's dual at each step), or the partial curve of a CSV of measures (cost and "
       "abatement each, sorted by cost per tonne)",
       {positional("model", T::Path, "Optimisation model JSON, or a measures CSV: measure,abatement_t,cost_usd "
                                     "(docs/process.md)"),
        opt("caps", T::String, "Cap sweep A:B:STEP in t CO2e (for a model; e.g. 1000000:500000:-50000)"), format}},
      {"cbam embedded",
       "Specific embedded emissions of a CBAM good from installation data by the EU methodology (Regulation (EU) "
       "2023/956 Annex IV, Implementing Regulation (EU) 2023/1773 Annex III): attributed direct, indirect from "
       "electricity, embedded emissions of precursors, per tonne of good",
       {positional("installation", T::Path, "Installation data JSON (docs/cbam.md)"), format}},
      {"cbam compare",
       "CBAM default value (with the year's mark-up) of a good from a country beside the actual value (given, or "
       "simulated from a route), and the difference in certificate cost at an EU ETS price",
       {opt("country", T::String, "Country of origin: ISO 3166-1 alpha-2 or alpha-3 code or name (CN, CHN, China)"),
        opt("good", T::String, "CN code at any level the annex uses (7208, 25232900, also with spaces)"),
        bounded(opt("year", T::Int, "Year of import: chooses the mark-up (2026 +10 %, 2027 +20 %, 2028 on +30 %)",
                    "2026"),
                2026, 2100),
        bounded(opt("actual", T::Double, "Actual specific embedded emissions, t CO2e per t of good"), 0, 1e6),
        opt("route", T::Path, "Route model JSON whose simulated intensity is the actual value"),
        [] {
          OptionSpec o = opt("set", T::String, "Override a route parameter: unit.param=value; repeatable");
          o.multiple = true;
          return o;
        }(),
        bounded(opt("ets-price", T::Double, "EU ETS price, EUR per t CO2e", "80"), 0, 1e6), format}},
      {"cbam defaults",
       "The CBAM default values of a country (definitive period, Implementing Regulation (EU) 2025/2621 Annex I; "
       "the rows of China are shipped), by CN code, with the scopes that count, the mark-up schedule and the citation",
       {opt("country", T::String, "Country of origin: ISO code or name (CN, CHN, China)"),
        opt("good", T::String, "Only this CN code or its sub-codes"),
        bounded(opt("year", T::Int, "Show the default with this year's mark-up", "2026"), 2026, 2100), format}},
      {"avoided",
       "Avoided emissions of exported clean-energy products (PV, wind) by destination, as a ledger apart from every "
       "inventory (WBCSD 2023): generation x grid factor displaced, over the lifetime with degradation, against the "
       "manufacturing footprint, with the payback time",
       {positional("file", T::Path,
                   "CSV: product,destination,capacity_mw,capacity_factor,lifetime_years,grid_factor_t_per_mwh,"
                   "manufacturing_t_per_mw[,degradation_pct_per_year][,source] (docs/avoided.md)"),
        opt("no-store", T::Bool, "Do not write the rows to the database's avoided-emissions ledger", "false"),
        format}},
      // --- published datasets, fetched from their publishers (issue 13; docs/data-fetch.md) ---
      {"data fetch",
       "Download a published dataset from its publisher's own address (EXIOBASE 3 from Zenodo, OECD ICIO from the "
       "OECD, WIOD from the University of Groningen, GCB national emissions): resumable, checksummed where the "
       "publisher gives a checksum, then the command to run on it",
       {[] {
          OptionSpec o = positional("source", T::Choice, "Dataset: exiobase3, oecd-icio, wiod or gcb");
          o.choices = {"exiobase3", "oecd-icio", "wiod", "gcb"};
          return o;
        }(),
        bounded(opt("year", T::Int, "Year to fetch (exiobase3, oecd-icio and wiod are one file per year; gcb is one "
                                    "series and takes none)"),
                1900, 2200),
        opt("dest", T::Path, "Folder to download into (created; default: panocarbon-data/SOURCE in the current folder)"),
        opt("mirror", T::String,
            "Base address that replaces the publisher's scheme and host (e.g. http://127.0.0.1:8000, or a mirror "
            "with a path prefix); the path of each address is kept"),
        choice("system", {"ixi", "pxp", "both"},
               "exiobase3: industry by industry (ixi), product by product (pxp), or both", "ixi"),
        opt("release", T::String,
            "exiobase3: a release (3.10.1, 3.9.6, ... 3.7) or a Zenodo record id or DOI (default: the latest "
            "version of the concept record 10.5281/zenodo.3583070)"),
        bounded(opt("retries", T::Int, "Further tries of a transfer that breaks off, each resuming where the last "
                                       "stopped", "3"),
                0, 100),
        opt("dry-run", T::Bool, "List the addresses and file names it would fetch; contact nothing, write nothing",
            "false"),
        opt("catalogue", T::Path,
            "A catalogue of sources to use instead of the compiled-in data/fetch_catalogue.json (same layout)"),
        opt("progress", T::Bool, "Progress bar with MB/s on stderr (default: when a terminal)"), format}},
      {"demo", "Initialise the database and compute the inventory of examples/inventory.csv", {gwp, format}},
      {"schema", "Print every command's options as JSON Schema (for API, MCP and bindings)", {}},
      {"capabilities",
       "List the registry of capabilities: name, domain, description, input and result schemas, example",
       {opt("markdown", T::Bool, "Print the command reference (docs/cli-reference.md) instead", "false")}},
      {"completion", "Print a shell completion script generated from the registry",
       {[] {
          OptionSpec o = choice("shell", {"bash", "zsh"}, "Shell", "bash");
          o.positional = true;
          o.required = true;
          o.default_value.reset();
          return o;
        }()}},
      {"man", "Print the manual page (roff) generated from the registry: panocarbon man > panocarbon.1", {}},
  };
  // Front-end options (the database, the rendering, progress, where files go) are apart from the model's
  // inputs: marked here, left out of the input schema and of Params; every command takes --format and --db.
  for (auto& s : specs) {
    bool has_format = false;
    for (auto& o : s.options) {
      if (o.name == "format") {
        has_format = true;
        o.choices = {"table", "csv", "json", "xlsx"};
        o.description = "Output format: table (for a person), csv (tidy, with units), json, or xlsx (a workbook "
                        "with a provenance sheet, on standard output: redirect it to a file)";
      }
      if (o.name == "format" || o.name == "verbose" || o.name == "progress" || o.name == "no-store" ||
          (o.name == "out" && o.required))
        o.frontend = true;
    }
    if (!has_format) {
      OptionSpec f = choice("format", {"table", "csv", "json", "xlsx"},
                            "Output format: table (for a person), csv (tidy, with units), json, or xlsx (a workbook "
                            "with a provenance sheet, on standard output: redirect it to a file)",
                            "table");
      f.frontend = true;
      s.options.push_back(f);
    }
    OptionSpec db = opt("db", T::Path,
                        "SQLite database file (default: $PANOCARBON_DB, else $XDG_DATA_HOME/panocarbon/panocarbon.db); "
                        "not to be confused with --database, the name of an LCA database stored in it");
    db.frontend = true;
    s.options.push_back(db);
  }
  return specs;
}

Error bad(const OptionSpec& o, std::string msg) {
  return Error(ErrorCategory::InvalidInput, std::move(msg), ErrorContext{{}, 0, 0, o.name});
}

nlohmann::json convert(const OptionSpec& o, const std::string& text) {
  switch (o.type) {
    case T::String:
    case T::Path: return text;
    case T::Bool: {
      const auto t = io::to_lower(text);
      if (t == "true" || t == "1" || t == "yes" || t.empty()) return true;
      if (t == "false" || t == "0" || t == "no") return false;
      throw bad(o, fmt::format("option --{} takes true or false, not '{}'", o.name, clip_input(text)));
    }
    case T::Int:
    case T::Double: {
      double v = 0;
      const io::NumberStatus st = io::parse_number(text, v);
      if (st == io::NumberStatus::NotFinite || st == io::NumberStatus::OutOfRange)
        throw bad(o, fmt::format("option --{}: {}", o.name, io::number_problem(text)));
      if (st != io::NumberStatus::Ok || (o.type == T::Int && v != std::floor(v)))
        throw bad(o, fmt::format("option --{} takes {}, not '{}'", o.name,
                                 o.type == T::Int ? "a whole number" : "a number", clip_input(text)));
      if ((o.min && v < *o.min) || (o.max && v > *o.max))
        throw bad(o, fmt::format("option --{} must be between {} and {}, not {}", o.name, o.min.value_or(-INFINITY),
                                 o.max.value_or(INFINITY), clip_input(text)));
      if (o.type == T::Int) return static_cast<long long>(v);
      return v;
    }
    case T::Choice:
      for (const auto& c : o.choices)
        if (io::to_lower(c) == io::to_lower(text)) return c;
      throw bad(o, fmt::format("option --{} must be one of {}, not '{}'", o.name, fmt::join(o.choices, ", "),
                                 clip_input(text)));
  }
  return text;
}
}  // namespace

std::string group_summary(std::string_view group) {
  static const std::map<std::string, std::string, std::less<>> g = {
      {"db", "The database: create or migrate it, show its contents and recent runs, repair it"},
      {"factors", "The emission factor library (IPCC 2006 and 2019 defaults): list, search, show with citations"},
      {"gwp", "Global warming potentials (IPCC AR4, AR5, AR6 GWP100)"},
      {"inventory", "Production-side inventories by the IPCC Guidelines: calculate, reference approach, uncertainty"},
      {"mrio", "Consumption-side accounts (EE-MRIO): accounts, bilateral flows, multipliers, paths, Monte Carlo"},
      {"lca", "Life cycle assessment: import databases and methods, calculate, contributions, footprints"},
      {"natural", "Natural sources and sinks: fires, natural methane, forest land, ocean and land sinks, account"},
      {"sensitivity", "Global sensitivity analysis (Sobol, Morris) of a model file"},
      {"ledger", "The panoramic ledger: build it from MRIO years and GCB series, what it holds, export it"},
      {"process", "Industrial processes: route simulation, least-cost optimisation, abatement cost curves"},
      {"cbam", "EU CBAM: embedded emissions of goods, default values by country, default vs actual"},
      {"data", "Published datasets: download them from their publishers (EXIOBASE 3, OECD ICIO, WIOD, GCB)"},
  };
  const auto it = g.find(group);
  return it == g.end() ? std::string(group) + " commands" : it->second;
}

const OptionSpec* CommandSpec::find(std::string_view option) const {
  for (const auto& o : options)
    if (o.name == option) return &o;
  for (const auto& o : options)
    for (const auto& a : o.aliases)
      if (a == option) return &o;
  return nullptr;
}

const std::vector<CommandSpec>& command_specs() {
  static const std::vector<CommandSpec> specs = build_specs();
  return specs;
}

const std::vector<CommandSpec>& frontend_commands() {
  static const std::vector<CommandSpec> specs = [] {
    CommandSpec serve{"serve",
                      "Serve the HTTP API (every capability as JSON endpoints, jobs, uploads, OpenAPI) and the web app",
                      {}};
    // `chat`: the conversational layer (src/agents, docs/chat.md); `mcp`: the Model Context Protocol over
    // standard input and output (src/mcp, docs/mcp.md).
    CommandSpec chat{"chat",
                     "Ask a question in English or Chinese; five specialist agents answer from the registry's tools, "
                     "citing every result (no question: an interactive session)",
                     {}};
    CommandSpec mcp{"mcp", "Serve every capability as Model Context Protocol tools over standard input and output", {}};
    auto add_to = [](CommandSpec& spec, std::string name, OptionType type, std::string desc,
                     std::optional<std::string> def, std::optional<double> min = std::nullopt,
                     std::optional<double> max = std::nullopt) -> OptionSpec& {
      OptionSpec o;
      o.name = std::move(name);
      o.type = type;
      o.description = std::move(desc);
      o.default_value = std::move(def);
      o.min = min;
      o.max = max;
      spec.options.push_back(std::move(o));
      return spec.options.back();
    };
    auto add = [&](std::string name, OptionType type, std::string desc, std::optional<std::string> def,
                   std::optional<double> min = std::nullopt, std::optional<double> max = std::nullopt) {
      add_to(serve, std::move(name), type, std::move(desc), std::move(def), min, max);
    };
    add("host", T::String,
        "Address to listen on; anything but loopback (127.0.0.1, ::1, localhost) needs a token", "127.0.0.1");
    add("port", T::Int, "TCP port (0: a free port, printed on the first line of standard output)", "8080", 0, 65535);
    add("db", T::Path,
        "SQLite database file (default: $PANOCARBON_DB, else $XDG_DATA_HOME/panocarbon/panocarbon.db)", std::nullopt);
    add("token", T::String,
        "Bearer token every request must send (Authorization: Bearer TOKEN); default: $PANOCARBON_TOKEN. Required "
        "for a host other than loopback",
        std::nullopt);
    add("web", T::Path,
        "Folder of the built web app served under / (default: $PANOCARBON_WEB, else web/dist of the source tree)",
        std::nullopt);
    add("files", T::Path,
        "Folder the server owns for uploads and the files runs write (default: panocarbon-server/ beside the "
        "database)",
        std::nullopt);
    add("threads", T::Int, "Worker threads answering requests; a keep-alive connection holds one (each keeps its own database connection)", "128", 1, 1024);
    add("jobs", T::Int, "Jobs (long calculations) run at the same time; more wait queued", "2", 1, 64);
    add("max-body", T::Int, "Largest request body in bytes, uploads apart (larger: 413)", "1048576", 1024, 1e9);
    add("max-upload", T::Int, "Largest upload in bytes (larger: 413)", "268435456", 1024, 1e11);
    // the chat endpoint (POST /api/chat, docs/api.md): the model and the data are the server's, never a client's
    add("data", T::Path,
        "Folder of datasets the chat's agents may read (mrio/, lca/, natural/, national/ as in the shared data); "
        "default: $PANOCARBON_DATA, else ../shared/data beside the source tree when it exists",
        std::nullopt);
    add("model-url", T::String,
        "Base URL of an OpenAI-compatible chat-completions server with tool calling for POST /api/chat; default: "
        "$PANOCARBON_MODEL_URL, else none (the deterministic planner). Its key: $PANOCARBON_MODEL_KEY",
        std::nullopt);
    add("model", T::String, "Model name sent to that server; default: $PANOCARBON_MODEL", std::nullopt);
    add_to(chat, "question", T::String, "The question (none: an interactive session with history)", std::nullopt)
        .positional = true;
    add_to(chat, "model-url", T::String,
           "Base URL of an OpenAI-compatible chat-completions server with tool calling (llama-server, vLLM, "
           "Ollama); default: $PANOCARBON_MODEL_URL, else none (the deterministic planner)",
           std::nullopt);
    add_to(chat, "model", T::String, "Model name sent to that server; default: $PANOCARBON_MODEL", std::nullopt);
    add_to(chat, "data", T::Path,
           "Folder of datasets the agents may use (mrio/, lca/, natural/, national/ as in the shared data); "
           "default: $PANOCARBON_DATA",
           std::nullopt);
    add_to(chat, "db", T::Path,
           "SQLite database file (default: $PANOCARBON_DB, else $XDG_DATA_HOME/panocarbon/panocarbon.db)", std::nullopt);
    add_to(chat, "format", T::Choice, "text, or json: one object {answer, plan, results, citations}", "text")
        .choices = {"text", "json"};
    add_to(mcp, "db", T::Path,
           "SQLite database file (default: $PANOCARBON_DB, else $XDG_DATA_HOME/panocarbon/panocarbon.db)", std::nullopt);
    return std::vector<CommandSpec>{serve, chat, mcp};
  }();
  return specs;
}

const CommandSpec& command_spec(std::string_view name) {
  for (const auto& s : command_specs())
    if (s.name == name) return s;
  throw Error(ErrorCategory::NotFound, fmt::format("unknown command '{}'", clip_input(name)));
}

Params Params::from_text(const CommandSpec& spec, const std::map<std::string, std::vector<std::string>>& given) {
  Params p;
  for (const auto& [name, values] : given) {
    const OptionSpec* o = spec.find(name);
    if (!o) {
      std::vector<std::string> names;
      for (const auto& s : spec.options)
        if (!s.frontend) names.push_back(s.name);
      std::vector<std::string> near;
      for (const auto& n : names)
        if (edit_distance(n, name) <= 2) near.push_back(n);
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("command '{}' has no option '{}'{}", spec.name, clip_input(name),
                              near.empty() ? std::string() : fmt::format("; did you mean {}?", fmt::join(near, ", "))),
                  ErrorContext{{}, 0, 0, clip_input(name)});
    }
    if (o->multiple) {
      auto& arr = p.values_[o->name];
      if (!arr.is_array()) arr = nlohmann::json::array();
      for (const auto& v : values) arr.push_back(convert(*o, v));
    } else if (!values.empty()) {
      p.values_[o->name] = convert(*o, values.back());
    }
  }
  for (const auto& o : spec.options) {
    if (p.values_.contains(o.name) || (o.frontend && !given.count(o.name))) continue;
    if (o.default_value) {
      p.values_[o.name] = convert(o, *o.default_value);
    } else if (o.required) {
      throw bad(o, fmt::format("command '{}' needs {}: {}", spec.name,
                               o.positional ? "the argument " + o.name : "--" + o.name, o.description));
    }
  }
  return p;
}

Params Params::from_json(const CommandSpec& spec, const nlohmann::json& given) {
  std::map<std::string, std::vector<std::string>> text;
  if (!given.is_object()) throw Error(ErrorCategory::InvalidInput, "command input must be a JSON object");
  for (const auto& [k, v] : given.items()) {
    // JSON values carry their type: a string where a number is expected (or the reverse) is refused, where
    // the text of a command line would be converted.
    if (const OptionSpec* o = spec.find(k)) {
      auto check = [&](const nlohmann::json& x) {
        bool ok = false;
        const char* want = "a string";
        switch (o->type) {
          case T::Int: ok = x.is_number_integer() || (x.is_number_float() && std::isfinite(x.get<double>()) &&
                                                      x.get<double>() == std::floor(x.get<double>()));
                       want = "a whole number"; break;
          case T::Double: ok = x.is_number(); want = "a number"; break;
          case T::Bool: ok = x.is_boolean(); want = "true or false"; break;
          default: ok = x.is_string(); break;
        }
        if (!ok)
          throw bad(*o, fmt::format("'{}' takes {} (JSON {}), not {}", o->name, want,
                                    o->type == T::Bool ? "boolean" : o->type == T::Int || o->type == T::Double ? "number" : "string",
                                    clip_input(x.dump())));
      };
      if (v.is_array()) {
        if (!o->multiple)
          throw bad(*o, fmt::format("'{}' takes one value, not a list", o->name));
        for (const auto& x : v) check(x);
      } else {
        check(v);
      }
    }
    auto& vals = text[k];
    auto one = [](const nlohmann::json& x) { return x.is_string() ? x.get<std::string>() : x.dump(); };
    if (v.is_array())
      for (const auto& x : v) vals.push_back(one(x));
    else
      vals.push_back(one(v));
  }
  return from_text(spec, text);
}

const nlohmann::json& Params::at(std::string_view name) const {
  const auto it = values_.find(std::string(name));
  if (it == values_.end())
    throw Error(ErrorCategory::Internal, fmt::format("option '{}' was read but has no value", name));
  return *it;
}
bool Params::has(std::string_view name) const { return values_.contains(std::string(name)); }
const std::string& Params::str(std::string_view name) const { return at(name).get_ref<const std::string&>(); }
std::vector<std::string> Params::strs(std::string_view name) const {
  if (!has(name)) return {};
  const auto& v = at(name);
  if (v.is_array()) return v.get<std::vector<std::string>>();
  return {v.get<std::string>()};
}
long long Params::integer(std::string_view name) const { return at(name).get<long long>(); }
double Params::number(std::string_view name) const { return at(name).get<double>(); }
bool Params::flag(std::string_view name) const { return has(name) && at(name).get<bool>(); }

nlohmann::json to_json_schema(const CommandSpec& spec) {
  nlohmann::json props = nlohmann::json::object();
  auto required = nlohmann::json::array();
  for (const auto& o : spec.options) {
    if (o.frontend) continue;
    nlohmann::json p;
    switch (o.type) {
      case T::String:
      case T::Path: p["type"] = "string"; break;
      case T::Int: p["type"] = "integer"; break;
      case T::Double: p["type"] = "number"; break;
      case T::Bool: p["type"] = "boolean"; break;
      case T::Choice:
        p["type"] = "string";
        p["enum"] = o.choices;
        break;
    }
    if (o.multiple) p = {{"type", "array"}, {"items", p}};
    p["description"] = o.description;
    if (o.default_value) p["default"] = convert(o, *o.default_value);
    if (o.min) p["minimum"] = *o.min;
    if (o.max) p["maximum"] = *o.max;
    props[o.name] = p;
    if (o.required) required.push_back(o.name);
  }
  return {{"title", spec.name}, {"description", spec.summary}, {"type", "object"},
          {"properties", props}, {"required", required}, {"additionalProperties", false}};
}

}  // namespace panocarbon

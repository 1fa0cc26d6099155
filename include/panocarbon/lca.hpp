// Life cycle assessment: one internal model of a unit-process database (processes, flows, exchanges, units,
// providers) that every reader fills, the product system built from it (provider linking, allocation), the
// matrix LCA solved with one sparse factorisation, and the result queries. Pure maths apart from src/io.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

namespace panocarbon::lca {

enum class FlowType { Elementary, Product, Waste };
const char* to_string(FlowType t);

// stats_arrays-style uncertainty of an exchange amount, kept as read (issue 5 samples it). For a lognormal,
// `a` is the geometric mean and `b` the geometric standard deviation (openLCA's convention) or, when
// `sigma_ln` is set, σ of ln; `pedigree` holds the five data-quality indicators (1..5; 0 = not given).
struct Uncertainty {
  enum Kind { None, Lognormal, Normal, Triangle, Uniform } kind = None;
  double a = 0, b = 0, c = 0;      // lognormal: gmean, gsd; normal: mean, sd; triangle: min, mode, max; uniform: min, max
  double sigma_ln = 0;             // lognormal σ of ln when the source gives it (EcoSpold2 variance → sqrt)
  double basic_variance = 0;       // EcoSpold2 pedigree: the basic variance
  int pedigree[5] = {0, 0, 0, 0, 0};
};

struct Flow {
  std::string id, name;
  FlowType type = FlowType::Elementary;
  std::string compartment;  // category path, '/'-separated ("Elementary flows/air/unspecified"); products: category
  std::string cas;          // as given ("000124-38-9" or "124-38-9"); compare with normalise_cas()
  std::string unit;         // the reference unit of the reference flow property (amounts are stored in it)
  std::string property;     // reference flow property ("Mass", "Energy", ...)
  std::string location;     // for regionalised elementary flows
  // other flow properties of the flow: name -> units of that property per reference unit (openLCA conversion
  // factors), e.g. {"Mass", 2.5} for a product measured in items weighing 2.5 kg; used by physical allocation.
  std::map<std::string, double> properties;
};

struct Exchange {
  int32_t flow = -1;       // index into Database::flows
  double amount = 0;       // in the flow's reference unit (converted by the reader)
  bool input = false;
  bool avoided = false;    // avoided product (system expansion) or avoided waste
  bool reference = false;  // the process's quantitative reference
  std::string provider;    // default provider (process id) when the data give one
  std::string id;          // the exchange's id (internal id in openLCA, exchange id in EcoSpold2)
  std::string formula;     // amount formula as read (not evaluated)
  std::string description;
  Uncertainty uncertainty;
};

enum class AllocationMethod { AsStored, None, Physical, Economic, Causal };
const char* to_string(AllocationMethod m);
AllocationMethod parse_allocation(const std::string& s);  // throws Error naming the choices

struct AllocationFactor {
  AllocationMethod method = AllocationMethod::Physical;  // Physical, Economic or Causal
  int32_t product = -1;   // flow index of the co-product the factor belongs to
  int32_t exchange = -1;  // causal: index into Process::exchanges of the allocated exchange (-1 = all)
  double value = 0;
};

struct Process {
  std::string id, name, location, category;
  std::string type = "UNIT_PROCESS";
  std::vector<Exchange> exchanges;
  std::vector<AllocationFactor> allocation;
  AllocationMethod default_allocation = AllocationMethod::AsStored;  // AsStored = not given
  std::string stage;  // life-cycle stage when the data or a study assigns one
  nlohmann::json documentation;  // time, geography, technology, sources as given (for the report)
};

struct Database {
  std::string name, format;  // format: "openlca-jsonld" or "ecospold2"
  std::vector<Flow> flows;
  std::vector<Process> processes;
  nlohmann::json provenance;  // source path, counts, reader notes (what was skipped and why)
  std::vector<std::string> warnings;

  int32_t find_flow(const std::string& id) const;
  int32_t find_process(const std::string& id) const;
  void index();  // rebuilds the id maps after the vectors change
 private:
  std::unordered_map<std::string, int32_t> flow_ix_, process_ix_;
};

// Reads openLCA JSON-LD (folder or .zip; schema 1.x and 2.x names) or EcoSpold2 (.spold files in a folder or
// .zip), picked by content. Amounts are converted to each flow's reference unit. Throws Error naming the file.
Database read_database(const std::string& path);
Database read_jsonld(const std::string& path);
Database read_ecospold2(const std::string& path);
// JSON-LD from memory: relative path ("processes/x.json") -> contents (tests and fuzzing).
Database read_jsonld_files(const std::map<std::string, std::string>& files, const std::string& name);

// "000124-38-9" -> "124-38-9"; "" stays "".
std::string normalise_cas(const std::string& cas);
// Lowercase, trimmed, a trailing " [...]" qualifier removed: "Carbon dioxide [Inorganic emissions to air]"
// -> "carbon dioxide".
std::string normalise_name(const std::string& name);
// The compartment's kind: "air", "water", "soil", "resource" or "" (unknown), from a category path.
std::string compartment_kind(const std::string& compartment);

// ---- LCIA methods ------------------------------------------------------------------------------------------
struct CharacterisationFactor {
  std::string flow_id;      // when the method is keyed by flow id (openLCA)
  std::string flow_name;    // name + compartment kind + CAS when keyed by name
  std::string compartment;  // "air", "resource", ... (compartment_kind) or "" for any
  std::string cas;
  double value = 0;         // per reference unit of the flow, in its natural direction (emission out, resource in)
  bool match_by_cas = true; // may be matched by CAS alone (the built-in method marks one row per CAS)
};
struct ImpactCategory {
  std::string name, unit;
  std::vector<CharacterisationFactor> factors;
};
// How a factor meets the sign of the inventory (docs/lca.md, "Signs of input flows"). B holds inputs as
// negative entries (openLCA's matrix convention).
//  - InputPositive (openLCA; every imported method, JSON-LD or CSV): the factor of a flow that enters the
//    system as an input is negated when C is built, so an input scores factor × |amount| (a resource of 6 kg
//    with factor 1 scores +6; "Carbon dioxide, in air" with factor −1 scores an uptake as negative).
//  - NetEmission (the built-in IPCC method): the factor applies to the signed amount (outputs +, inputs −),
//    except for flows of a resource compartment, whose factor is per unit taken in (−1 per kg CO2 taken
//    up from air): an input of an emission flow (biogenic CO2 from air recorded as an input) is a removal.
enum class FactorSign { InputPositive, NetEmission };
struct Method {
  std::string name, source;
  std::vector<ImpactCategory> categories;
  FactorSign sign = FactorSign::InputPositive;
};

// The project's own IPCC 2021 (AR6) GWP100 method: categories total, fossil, biogenic, luc (kg CO2e), from
// data/lcia/ipcc2021_gwp100.csv and the GWP set `gwp_set` ("AR6" default; AR5/AR4 give the same structure).
Method builtin_gwp_method(const std::string& gwp_set = "AR6");
// openLCA's reference CSV (LCIA category,Flow,Flow property,Flow unit,Location,Factor): one category per
// distinct category id, named `name` when there is one category.
Method read_method_csv(const std::string& path, const std::string& name);
// LCIA methods of a JSON-LD package (lcia_methods/, lcia_categories/); `name` picks one when several.
Method read_method_jsonld(const std::string& path, const std::string& name);
// Every LCIA method of a JSON-LD package (none when it has no lcia_methods/): what `lca import` stores.
std::vector<Method> read_methods_jsonld(const std::string& path);
// read_database, and for a JSON-LD package its methods as read_methods_jsonld gives them (the package opened
// and listed once): what `lca import` reads.
Database read_database(const std::string& path, std::vector<Method>& methods);

// How method factors were matched to the database's elementary flows.
struct FlowMapping {
  // per category, per database flow index: the factor (0 = none)
  std::vector<std::vector<double>> factors;
  size_t by_id = 0, by_name = 0, by_cas = 0;
  std::vector<int32_t> unmapped_ghg;  // database flows that look like a greenhouse gas and got no factor
  FactorSign sign = FactorSign::InputPositive;  // the method's convention
};
FlowMapping map_flows(const Database& db, const Method& method);

// ---- product systems ---------------------------------------------------------------------------------------
enum class ProviderRule { SameLocation, First, Fail };
struct LinkOptions {
  AllocationMethod allocation = AllocationMethod::AsStored;
  ProviderRule rule = ProviderRule::SameLocation;  // several providers of one product: prefer the consumer's location
  std::map<std::string, std::string> choices;      // product flow id -> provider process id (user choice)
};

// One column of the technosphere: a process and the product it provides (or waste it treats).
struct Provider {
  int32_t process = -1;
  int32_t flow = -1;
};
struct Link {  // how an input was linked
  int32_t process = -1, exchange = -1;
  int32_t provider = -1;   // column, -1 = cut off (no provider)
  std::string how;         // "default provider", "only provider", "same location", "user choice", "first of N", "cut-off"
};

// The matrices of a database, all processes linked (Brightway's and openLCA's "whole database" system):
// A (technosphere, columns = providers, rows = the same providers' products), B (elementary flows x
// providers). Sign convention: product outputs +, product inputs −; waste inputs +, waste outputs −;
// avoided products as negative inputs; elementary outputs +, elementary inputs −.
struct Triplet {
  int32_t row, col;
  double value;
};
// Where a matrix entry comes from: entry value = scale × the exchange's amount, scale = the sign of the
// convention × the allocation factor (1 for a provider's own output). Monte Carlo scales a draw of the
// amount by the same number.
struct EntrySource {
  int32_t process = -1, exchange = -1;  // indices into Database::processes and Process::exchanges
  double scale = 1;
};
struct ProductSystem {
  const Database* db = nullptr;
  std::vector<Provider> providers;             // columns of A and B (and rows of A)
  std::vector<int32_t> elementary;             // rows of B: database flow indices
  // per row of B: 1 when the flow enters the system only as an input (openLCA's input flows), else 0; a
  // flow that occurs both as an input and an output is an output row
  std::vector<uint8_t> elementary_input;
  std::vector<Triplet> technosphere, biosphere;  // duplicates summed when solving
  // one per triplet, in the same order, when built from exchanges (empty when loaded from the store)
  std::vector<EntrySource> technosphere_source, biosphere_source;
  std::vector<Link> links;                     // one per linked or cut-off input (empty when loaded from the store)
  std::vector<std::string> notes;              // allocation fallbacks and other choices made
  size_t cutoffs = 0;
  int32_t find_provider(const std::string& process_id_or_name) const;  // throws Error with suggestions
};
ProductSystem build_system(const Database& db, const LinkOptions& opt);
// Processes of a system built from exchanges that provide nothing (no product output, no waste input: e.g.
// a reference product marked as an input), each with the reason and what to fix; `lca import` reports them.
struct UnusableProcess {
  int32_t process = -1;
  std::string reason;
};
std::vector<UnusableProcess> unusable_processes(const ProductSystem& sys);

// A in compressed columns with duplicate entries summed: what the solver factorises, and what the upstream
// tree walks. diagonal[j] is A[j, j] (the provider's net output per unit of scaling).
struct CscMatrix {
  int n = 0;
  std::vector<int> p, i;  // column starts (n + 1), row indices
  std::vector<double> x;
  std::vector<double> diagonal;
};
CscMatrix technosphere_matrix(const ProductSystem& sys);

// ---- results -----------------------------------------------------------------------------------------------
struct Demand {
  int32_t provider = -1;
  double amount = 1;
};
struct SolveStats {
  double factorise_s = 0, solve_s = 0, lcia_s = 0;
  double residual = 0;  // max over solves of ||A s − f||∞ / ||f||∞
  std::string solver;   // "KLU" / "UMFPACK (KLU failed)"
  size_t nnz = 0;       // non-zeros of A
  size_t lu_nnz = 0;    // entries stored in the LU factors (KLU: L + U + off-diagonal blocks), the fill-in
  size_t refactors = 0;           // numeric refactorisations with new values (Monte Carlo)
  size_t refactor_fallbacks = 0;  // of those, full factorisations (klu_refactor failed or lost accuracy)
};

// One sparse factorisation of A, reused for every demand and every transposed solve.
class Solver {
 public:
  explicit Solver(const ProductSystem& sys);
  ~Solver();
  Solver(const Solver&) = delete;
  size_t size() const;
  std::vector<double> solve(const std::vector<double>& f) const;             // A s = f
  std::vector<double> solve_transposed(const std::vector<double>& c) const;  // Aᵀ y = c
  const SolveStats& stats() const;
  // New numeric values of A on the same pattern: `values` in the order of technosphere_matrix(sys).x.
  // Reuses the symbolic analysis and the pivot order (klu_refactor); when that fails or the new pivots are
  // ill-conditioned (klu_rcond < 1e-14), a full factorisation (KLU with the same analysis, else UMFPACK).
  // Throws Error naming `label` (e.g. "draw 17") and the providers with a zero net output when singular.
  // The ProductSystem given to the constructor must still exist (for the names).
  void refactor(const std::vector<double>& values, const std::string& label = "");
 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;  // freed also when the constructor throws (a singular matrix)
};

struct LcaResult {
  const ProductSystem* sys = nullptr;
  const Method* method = nullptr;
  Demand demand;
  std::vector<double> scaling;     // s, per provider
  std::vector<double> inventory;   // g = B s, per row of sys.elementary (signed: inputs negative)
  std::vector<double> impacts;     // per category
  std::vector<std::vector<double>> direct;  // per category, per provider: direct impact of s_j × column j
  SolveStats stats;
};
// The characterisation matrix as applied to B, the one place that builds it: per category, per row of B,
// the factor times the row's direction (FactorSign: −1 for input rows under InputPositive, −1 for rows of a
// resource compartment under NetEmission, else +1). Every result (calc, contributions, tree, Monte Carlo,
// footprint) characterises through it.
std::vector<std::vector<double>> characterisation_rows(const ProductSystem& sys, const FlowMapping& mapping);
// Throws Error (Data) when an entry of `v` is not finite (overflow, or a (near) singular system), saying which
// quantity (`what`), naming the entry (`name(i)`) and what to check. Every LCA result goes through it.
void require_finite(const std::vector<double>& v, const std::string& what, const std::function<std::string(size_t)>& name);
// q_k[j] = Σ_r C[k, r] · B[r, j]: each provider's characterised biosphere column, per category.
std::vector<std::vector<double>> characterised_columns(const ProductSystem& sys, const FlowMapping& mapping);
// Solves one demand and characterises it. mapping.factors gives the characterisation.
// `characterised` (optional) is characterised_columns(sys, mapping) computed once for many calls.
LcaResult calculate(const ProductSystem& sys, const Solver& solver, const Method& method,
                    const FlowMapping& mapping, const Demand& demand,
                    const std::vector<std::vector<double>>* characterised = nullptr);
// Impacts of many demands at once (rows = demands, columns = categories) by one transposed solve per
// category: h_k(f) = (c_k B A⁻¹) f.
std::vector<std::vector<double>> calculate_many(const ProductSystem& sys, const Solver& solver,
                                                const FlowMapping& mapping, const std::vector<Demand>& demands,
                                                const std::vector<std::vector<double>>* characterised = nullptr);

// Upstream tree of a result for one category: each node is a provider reached through a chain of links,
// with the amount it supplies to its parent and the total (upstream) impact of that amount.
struct TreeNode {
  int32_t provider = -1;
  int depth = 0;
  double amount = 0;  // of the provider's product, supplied along this path
  double total = 0;   // impact of that amount including its upstream
  double direct = 0;  // impact of the provider's own exchanges for that amount
  int32_t parent = -1;  // index into the returned vector
};
std::vector<TreeNode> upstream_tree(const LcaResult& r, const Solver& solver, const FlowMapping& mapping,
                                    size_t category, double cutoff, int max_depth,
                                    const std::vector<std::vector<double>>* characterised = nullptr);

}  // namespace panocarbon::lca

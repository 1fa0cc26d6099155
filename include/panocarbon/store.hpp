// The embedded database (SQLite, WAL mode): datasets with provenance, emission factors, fuels, GWP sets,
// the IPCC 2006 category tree, full-text search (FTS5) over factors, fuels and categories, and the run
// log of every calculation with its inputs' hashes, parameters and version. Every write runs in one
// transaction, so an interrupted import leaves the database as it was.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "panocarbon/factors.hpp"
#include "panocarbon/natural_fluxes.hpp"

namespace panocarbon {
namespace store {
class Db;  // src/store/sqlite.hpp
}
namespace ledger {
struct Table;  // panocarbon/ledger.hpp
}
namespace lca {
struct Database;
struct Method;
struct ProductSystem;
}  // namespace lca

// An LCA database as recorded in the store.
struct LcaDatabaseRecord {
  std::string name, format, source, imported_at;
  size_t processes = 0, flows = 0, exchanges = 0;
  nlohmann::json provenance;
};

struct SearchHit {
  std::string kind;  // "factor", "fuel", "category"
  std::string id;    // factor id, fuel name or category code
  std::string title;
  double rank = 0;   // bm25, lower is better
};

struct RunRecord {
  int64_t id = 0;
  // status: ok, failed, running, or (as read back) abandoned: `running` in the table but its process is gone
  std::string command, started_at, finished_at, status, version;
  nlohmann::json inputs, params, summary;
  long long pid = 0;  // the process that ran it (0 = not recorded) and its host
  std::string host;
};

struct ResultRecord {
  std::string key;  // e.g. an IPCC category code or "total"
  std::string gas;  // "CO2e", "CO2", ...
  double value = 0;
  std::string unit;  // "t"
};

// An MRIO system as recorded in the store (the matrices stay in their files; the fingerprint identifies
// the file set: SHA-256 over each table's name, size and modification time, and file_parameters.json).
// A source of the ledger as stored (ledger_sources) with what it holds.
struct LedgerSourceRecord {
  std::string source, dataset, version, citation, path, built_at;
  int64_t run_id = 0;
  std::vector<int> years;
  size_t countries = 0, values = 0, partners = 0, sectors = 0;
};

// What to read of the ledger: "" / 0 = any. `source` matches a source ("wiod2013-co2/2009") or a dataset
// ("wiod2013-co2", every year of it). Partners and sectors only when asked.
struct LedgerQuery {
  std::string country, indicator, source;
  int year = 0;
  bool partners = false, sectors = false;
};

// One row of the avoided-emissions ledger (`avoided`, migration 9; docs/avoided.md): the inputs of a product
// exported to a destination and what it avoids. payback_years is NaN (NULL) when nothing is avoided.
struct AvoidedRecord {
  int64_t run_id = 0;  // filled when read back
  std::string product, destination;
  double capacity_mw = 0, capacity_factor = 0;
  int lifetime_years = 0;
  double grid_factor_t_per_mwh = 0, manufacturing_t_per_mw = 0, degradation_pct_per_year = 0;
  double annual_generation_mwh = 0, annual_avoided_t = 0, lifetime_avoided_t = 0, manufacturing_t = 0,
         net_lifetime_avoided_t = 0;
  double payback_years = std::numeric_limits<double>::quiet_NaN();
};

struct MrioSystemRecord {
  std::string name, format, source, fingerprint, monetary_unit;
  size_t regions = 0, sectors = 0, categories = 0;
  int year = 0;  // 0 = unknown
  nlohmann::json provenance;
};

// One region's accounts for one stressor, as stored by `mrio accounts`.
struct MrioAccountRecord {
  std::string system;  // filled when read back
  int64_t run_id = 0;  // filled when read back
  int year = 0;        // the system's year, filled when read back (0 = unknown)
  std::string extension, stressor, unit, region;
  double production = 0, consumption = 0, imports = 0, exports = 0, direct_fd = 0, income = 0, shared = 0,
         eebt_consumption = 0;
  double population = std::numeric_limits<double>::quiet_NaN();  // NaN = not given
};

class Store {
 public:
  static constexpr int kSchemaVersion = 10;
  // $PANOCARBON_DB, else $XDG_DATA_HOME/panocarbon/panocarbon.db, else ~/.local/share/panocarbon/panocarbon.db
  static std::filesystem::path default_path();
  // Opens (creating folders and the file if needed), migrates the schema (serialised between processes; a
  // database left between versions is repaired), and loads or refreshes the project's own datasets when their
  // content changed. ":memory:" gives an in-memory database; an empty path is refused (InvalidInput). An
  // existing database whose file or folder is not writable opens read-only: reads work, writes fail saying why.
  static Store open(const std::filesystem::path& path);

  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  ~Store();

  const std::filesystem::path& path() const;
  int schema_version() const;
  bool read_only() const;
  // Path, schema version, counts, datasets, runs by status (abandoned counted apart) and abandoned_runs.
  nlohmann::json info() const;
  // Runs left `running` whose process is gone: no pid recorded (an older panocarbon), or on this host a pid
  // that has ended or now belongs to another process. Runs of other hosts are not judged.
  std::vector<int64_t> abandoned_runs() const;
  // PRAGMA integrity_check (a damaged database is an Error{Database} that says how to recover), then marks
  // the abandoned runs failed; returns path, schema_version, integrity_check and runs_marked_failed.
  nlohmann::json repair();

  FactorLibrary load_factor_library() const;
  std::vector<SearchHit> search(std::string_view query, int limit) const;

  // A run starts `running` with this process's pid, host and start time; finish_run sets ok or failed.
  int64_t begin_run(std::string_view command, const nlohmann::json& inputs, const nlohmann::json& params);
  void finish_run(int64_t run_id, std::string_view status, const nlohmann::json& summary);
  // The same, and the run's inputs (replacing begin_run's: the registry records inputs as a capability reads
  // them), in the same commit.
  void finish_run(int64_t run_id, std::string_view status, const nlohmann::json& summary,
                  const nlohmann::json& inputs);
  // Values must be finite: NaN or infinity is refused (Error{Data} naming the table, field and run) and nothing
  // is written.
  void save_results(int64_t run_id, const std::vector<ResultRecord>& results);
  std::vector<ResultRecord> results(int64_t run_id) const;
  std::vector<RunRecord> recent_runs(int limit) const;

  // MRIO: records a system (returns the existing id when the same source and fingerprint are there) and a
  // run's regional accounts; queries the latest accounts by system (name or source), region, stressor
  // ("" = any; a stressor also matches by the part before '|') and year (0 = any).
  int64_t save_mrio_system(const MrioSystemRecord& system);
  void save_mrio_accounts(int64_t run_id, int64_t system_id, const std::vector<MrioAccountRecord>& rows);
  std::vector<MrioAccountRecord> mrio_accounts(const std::string& system, const std::string& region,
                                               const std::string& stressor, int year = 0) const;

  // LCA: databases (replacing one of the same name, in one transaction), their full-text index over
  // processes and flows, and LCIA methods (stored as their definition).
  void save_lca_database(const lca::Database& db);
  // What `lca import` writes, in one transaction (one commit): the database as save_lca_database, its LCIA
  // methods as save_lca_method, then the linked system that `system()` returns under `system_key` as
  // save_lca_system. `system()` is called once the flows, processes, exchanges and search entries are written
  // and before the database's own row (name, counts, provenance, warnings) is: linking can run on another
  // thread meanwhile, and `system()` may still complete db.provenance (lca import adds the fingerprint of the
  // files, taken on another thread during the store).
  void save_lca_import(const lca::Database& db, const std::vector<lca::Method>& methods,
                       const std::string& system_key, const std::function<const lca::ProductSystem&()>& system);
  // Without `exchanges`: processes and flows only (enough to present a cached system's results).
  lca::Database load_lca_database(const std::string& name, bool exchanges = true) const;  // NotFound lists the names
  // A linked product system cached per linking options `key` (replaced on re-import of the database);
  // load returns nothing when there is none for the key. The loaded system refers to `db`.
  void save_lca_system(const std::string& database, const std::string& key, const lca::ProductSystem& sys);
  std::optional<lca::ProductSystem> load_lca_system(const std::string& database, const std::string& key,
                                                    const lca::Database& db) const;
  std::vector<LcaDatabaseRecord> lca_databases() const;
  std::vector<SearchHit> lca_search(std::string_view query, const std::string& database, int limit) const;
  void save_lca_method(const lca::Method& method);
  std::optional<lca::Method> load_lca_method(const std::string& name) const;
  std::vector<std::string> lca_methods() const;

  // Natural side (issue 6, table natural_fluxes; include/panocarbon/natural_fluxes.hpp): appends a run's
  // fluxes in one transaction; queries fluxes by module ("" = any), region ("" = any) and year (0 = any): of
  // every run when all_runs, else of the latest run of each command (`natural afolu`, `natural sinks`, ...)
  // among the runs with fluxes matching the filters.
  void save_natural_fluxes(int64_t run_id, const std::vector<NaturalFluxRecord>& rows);
  // The same for rows in the compact form (a row whose text index is out of range is an Error{Internal}).
  void save_natural_fluxes(int64_t run_id, const NaturalFluxBatch& batch);
  std::vector<NaturalFluxRecord> natural_fluxes(const std::string& module, const std::string& region, int year = 0,
                                                bool all_runs = false) const;

  // The panoramic ledger (issue 13, migration 8; docs/ledger.md): save_ledger replaces the table's source (its
  // values, partners and sectors) in one transaction, recording the run that built it; values must be finite
  // (Error{Data} naming the table, field, source and row; nothing is written). ledger() reads the matching rows,
  // one Table per source (run_id filled), sources in name order, rows in country, year order.
  void save_ledger(int64_t run_id, const ledger::Table& table);
  std::vector<ledger::Table> ledger(const LedgerQuery& query) const;
  std::vector<LedgerSourceRecord> ledger_sources() const;

  // Avoided emissions (issue 15, migration 9, table avoided_emissions; docs/avoided.md): a ledger of its own,
  // keyed by run, never read into the inventories, the panoramic ledger or `account`. save_avoided appends a
  // run's rows in one transaction (values must be finite; payback may be NaN, stored as NULL); avoided() reads
  // one run's rows in their order (run_id 0: the latest run that has rows).
  void save_avoided(int64_t run_id, const std::vector<AvoidedRecord>& rows);
  std::vector<AvoidedRecord> avoided(int64_t run_id = 0) const;

  struct Impl;

 private:
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  store::Db& sql() const;  // for the table groups in store_mrio.cpp, store_lca.cpp, store_natural.cpp
  friend struct StoreTestAccess;  // unit tests: the connection, to read its settings and tables
};

}  // namespace panocarbon

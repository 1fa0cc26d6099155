// The LCA tables written by `lca import` (Store::save_lca_import): the same rows and search hits whichever way
// the exchanges' index is maintained (dropped and made again when the table holds no other database, kept
// otherwise), the index and foreign keys as they were after a write or a failed write, one transaction.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <stdexcept>
#include <string>

#include <unistd.h>

#include "panocarbon/error.hpp"
#include "panocarbon/lca.hpp"
#include "panocarbon/store.hpp"
#include "store/foreign_keys_off.hpp"
#include "store/sqlite.hpp"

namespace panocarbon {
namespace {

lca::Database small_database(const std::string& name, int processes) {
  lca::Database d;
  d.name = name;
  d.format = "openlca-jsonld";
  d.provenance = {{"path", "/data/" + name}};
  d.warnings = {"a warning"};
  lca::Flow co2;
  co2.id = "co2";
  co2.name = "Carbon dioxide, fossil";
  co2.compartment = "Elementary flows/air/unspecified";
  co2.cas = "124-38-9";
  co2.unit = "kg";
  co2.property = "Mass";
  d.flows.push_back(co2);
  for (int i = 0; i < processes; ++i) {
    lca::Flow product;
    product.id = "product-" + std::to_string(i);
    product.name = "Cement clinker " + std::to_string(i);
    product.type = lca::FlowType::Product;
    product.compartment = "Cement";
    product.unit = "kg";
    product.property = "Mass";
    product.properties["price"] = 0.5 + i;
    d.flows.push_back(product);
  }
  for (int i = 0; i < processes; ++i) {
    lca::Process p;
    p.id = "process-" + std::to_string(i);
    p.name = "Clinker production " + std::to_string(i);
    p.location = i % 2 ? "US" : "RER";
    p.category = "Manufacturing/Cement";
    p.stage = "production";
    p.documentation = {{"time", "2020"}, {"sources", {"a", "b"}}};
    lca::Exchange out;
    out.flow = 1 + i;
    out.amount = 1;
    out.reference = true;
    out.id = "1";
    p.exchanges.push_back(out);
    lca::Exchange in;
    if (i > 0) {
      in.flow = i;  // the previous process's product
      in.amount = 0.25;
      in.input = true;
      in.provider = "process-" + std::to_string(i - 1);
      in.id = "2";
      in.formula = "0.5 * 0.5";
      in.uncertainty.kind = lca::Uncertainty::Lognormal;
      in.uncertainty.a = 0.25;
      in.uncertainty.b = 1.2;
      for (int k = 0; k < 5; ++k) in.uncertainty.pedigree[k] = k + 1;
      p.exchanges.push_back(in);
    }
    lca::Exchange e;
    e.flow = 0;
    e.amount = 0.8 + 0.01 * i;
    e.description = "calcination";
    p.exchanges.push_back(e);
    p.allocation.push_back({lca::AllocationMethod::Physical, out.flow, 0, 1.0});
    d.processes.push_back(std::move(p));
  }
  d.index();
  return d;
}

// A store in a file of its own (removed first), so that a second connection can read its tables.
std::string store_path(const std::string& name) {
  const auto p = std::filesystem::temp_directory_path() /
                 ("pc-store-lca-test-" + name + "-" + std::to_string(getpid()) + ".db");
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(p.string() + suffix);
  return p.string();
}

// Every stored row of database `name` (ids of the database row left out), and its search rows, as text.
std::string dump(Store& s, const std::string& name) {
  store::Db db(s.path().string());
  std::string out;
  for (const char* q :
       {"SELECT f.ix, f.id, f.name, f.type, f.compartment, f.cas, f.unit, f.property, f.location, f.properties FROM "
        "lca_flows f JOIN lca_databases d ON d.id = f.db_id WHERE d.name = ?1 ORDER BY f.ix",
        "SELECT p.ix, p.id, p.name, p.location, p.category, p.type, p.default_allocation, p.allocation, p.stage, "
        "p.documentation FROM lca_processes p JOIN lca_databases d ON d.id = p.db_id WHERE d.name = ?1 ORDER BY p.ix",
        "SELECT x.process, x.flow, x.amount, x.flags, x.provider, x.xid, x.formula, x.description, x.unc_kind, x.unc_a, "
        "x.unc_b, x.unc_c, x.unc_sigma_ln, x.unc_basic, x.pedigree FROM lca_exchanges x JOIN lca_databases d ON "
        "d.id = x.db_id WHERE d.name = ?1 ORDER BY x.rowid",
        "SELECT db, kind, ref, title, body FROM lca_search WHERE db = ?1 ORDER BY rowid",
        "SELECT s.options, s.format, length(s.technosphere) FROM lca_systems s JOIN lca_databases d ON d.id = s.db_id "
        "WHERE d.name = ?1",
        "SELECT name, format, source, processes, flows, exchanges, provenance FROM lca_databases WHERE name = ?1"}) {
    store::Stmt st(db.handle(), q);
    st.bind(1, name);
    while (st.step()) {
      for (int c = 0; c < sqlite3_column_count(st.raw()); ++c) out += (st.is_null(c) ? "NULL" : st.text(c)) + "|";
      out += "\n";
    }
  }
  return out;
}

// Rows whose parent is gone (PRAGMA foreign_key_check): the import writes with the checks off, so its own
// deletes and inserts must leave none.
std::string orphans(Store& s) {
  store::Db db(s.path().string());
  store::Stmt st(db.handle(), "PRAGMA foreign_key_check");
  std::string out;
  while (st.step()) out += st.text(0) + " row " + st.text(1) + " -> " + st.text(2) + "\n";
  return out;
}

std::string index_sql(Store& s) {
  store::Db db(s.path().string());
  store::Stmt st(db.handle(), "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'lca_exchanges_db'");
  return st.step() ? st.text(0) : std::string("(no index)");
}

bool foreign_keys_on(store::Db& db) {
  store::Stmt st(db.handle(), "PRAGMA foreign_keys");
  return st.step() && st.integer(0) == 1;
}

// The hits in their order; with `rank`, their bm25 too (which depends on every document of the index, so it
// is compared only between stores that hold the same databases).
std::string search(Store& s, const std::string& query, const std::string& db, bool rank = false) {
  std::string out;
  for (const auto& h : s.lca_search(query, db, 50))
    out += h.kind + " " + h.id + " " + h.title + (rank ? " " + std::to_string(h.rank) : std::string()) + "\n";
  return out;
}

void import(Store& s, const lca::Database& d) {
  const lca::ProductSystem sys = lca::build_system(d, lca::LinkOptions{});
  s.save_lca_import(d, {}, "default", [&sys]() -> const lca::ProductSystem& { return sys; });
}

TEST(StoreLca, SameRowsWhetherTheExchangeIndexIsRemadeOrKept) {
  const lca::Database a = small_database("a", 5), b = small_database("b", 3);
  // alone: the exchanges' index is dropped and made again around the rows
  Store alone = Store::open(store_path("alone"));
  const std::string schema_index = index_sql(alone);
  ASSERT_NE(schema_index, "(no index)");
  import(alone, a);
  EXPECT_EQ(index_sql(alone), schema_index);
  // beside another database: the index is kept
  Store beside = Store::open(store_path("beside"));
  import(beside, b);
  import(beside, a);
  EXPECT_EQ(index_sql(beside), schema_index);
  const std::string rows = dump(alone, "a");
  EXPECT_NE(rows.find("calcination"), std::string::npos);
  EXPECT_NE(rows.find("1,2,3,4,5"), std::string::npos);
  EXPECT_EQ(dump(beside, "a"), rows);
  EXPECT_EQ(dump(beside, "b").find("process-4"), std::string::npos);
  EXPECT_EQ(search(beside, "clinker", "a"), search(alone, "clinker", "a"));
  EXPECT_EQ(search(beside, "carbon dioxide", "a"), search(alone, "carbon dioxide", "a"));
  EXPECT_NE(search(alone, "clinker production", "a").find("process a/process-3 Clinker production 3"),
            std::string::npos)
      << search(alone, "clinker production", "a");
  EXPECT_NE(search(alone, "cement clinker 2", "a").find("flow a/product-2 Cement clinker 2"), std::string::npos);
  // re-importing replaces the rows (the table then holds only this database again: index remade)
  const std::string ranked = search(alone, "clinker", "a", true);
  import(alone, a);
  EXPECT_EQ(dump(alone, "a"), rows);
  EXPECT_EQ(search(alone, "clinker", "a", true), ranked);
  EXPECT_EQ(orphans(alone), "");
  import(beside, b);  // replaced beside another database
  EXPECT_EQ(dump(beside, "a"), rows);
  EXPECT_EQ(orphans(beside), "");
  EXPECT_EQ(index_sql(alone), schema_index);
  // what load_lca_database reads back is the same from both
  const lca::Database la = alone.load_lca_database("a"), lb = beside.load_lca_database("a");
  ASSERT_EQ(la.processes.size(), 5u);
  for (size_t i = 0; i < la.processes.size(); ++i) {
    ASSERT_EQ(la.processes[i].exchanges.size(), lb.processes[i].exchanges.size());
    for (size_t k = 0; k < la.processes[i].exchanges.size(); ++k)
      EXPECT_EQ(la.processes[i].exchanges[k].amount, lb.processes[i].exchanges[k].amount);
  }
  EXPECT_TRUE(alone.load_lca_system("a", "default", la).has_value());
}

TEST(StoreLca, SaveLcaDatabaseAloneStoresNoSystem) {
  Store s = Store::open(store_path("s"));
  const lca::Database a = small_database("a", 2);
  s.save_lca_database(a);
  EXPECT_EQ(s.load_lca_database("a").processes.size(), 2u);
  EXPECT_FALSE(s.load_lca_system("a", "default", a).has_value());
}

TEST(StoreLca, AFailedImportLeavesNothingAndTheIndexAndForeignKeysAsTheyWere) {
  Store s = Store::open(store_path("s"));
  const std::string schema_index = index_sql(s);
  const lca::Database a = small_database("a", 4);
  // the linking fails after the rows are written: the whole import is rolled back
  EXPECT_THROW(s.save_lca_import(a, {}, "default",
                                 []() -> const lca::ProductSystem& {
                                   throw Error(ErrorCategory::Data, "linking failed");
                                 }),
               Error);
  EXPECT_TRUE(s.lca_databases().empty());
  EXPECT_EQ(dump(s, "a"), "");
  EXPECT_EQ(index_sql(s), schema_index);
  // a non-finite amount is refused before anything is written, naming the table, field, database and process
  lca::Database bad = small_database("bad", 2);
  bad.processes[1].exchanges[0].amount = std::numeric_limits<double>::infinity();
  try {
    import(s, bad);
    FAIL() << "stored an infinite amount";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_EQ(e.category(), ErrorCategory::Data);
    EXPECT_NE(m.find("lca_exchanges.amount"), std::string::npos) << m;
    EXPECT_NE(m.find("LCA database bad"), std::string::npos) << m;
    EXPECT_NE(m.find("process process-1"), std::string::npos) << m;
  }
  EXPECT_TRUE(s.lca_databases().empty());
  // and the store still takes the database afterwards
  import(s, a);
  EXPECT_EQ(s.lca_databases().size(), 1u);
}

TEST(StoreLca, TheDatabaseRowIsWrittenLastWithWhatSystemCompleted) {
  Store s = Store::open(store_path("row"));
  lca::Database a = small_database("a", 3), b = small_database("b", 2);
  const lca::ProductSystem sys_a = lca::build_system(a, lca::LinkOptions{});
  // system() may still complete the provenance (lca import adds the files' fingerprint there)
  s.save_lca_import(a, {}, "default", [&]() -> const lca::ProductSystem& {
    a.provenance["fingerprint"] = "abc";
    return sys_a;
  });
  import(s, b);
  const auto rows = s.lca_databases();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].name, "a");
  EXPECT_EQ(rows[0].provenance.value("fingerprint", ""), "abc");
  EXPECT_EQ(rows[0].provenance["warnings"], nlohmann::json::array({"a warning"}));
  EXPECT_EQ(rows[0].processes, 3u);
  EXPECT_EQ(rows[0].exchanges, 8u);
  // ids as SQLite gives them (one more than the largest): a 1, b 2, a again 3
  const auto ids = [&s] {
    store::Db db(s.path().string());
    store::Stmt st(db.handle(), "SELECT name, id FROM lca_databases ORDER BY id");
    std::string out;
    while (st.step()) out += st.text(0) + std::to_string(st.integer(1)) + " ";
    return out;
  };
  EXPECT_EQ(ids(), "a1 b2 ");
  import(s, a);
  EXPECT_EQ(ids(), "b2 a3 ");
  EXPECT_EQ(orphans(s), "");
  EXPECT_TRUE(s.load_lca_system("a", "default", a).has_value());
}

TEST(StoreLca, ForeignKeysOffLastsUntilTheTransactionEnds) {
  const std::string path = store_path("fk");
  store::Db db(path);
  db.exec("CREATE TABLE parent(id INTEGER PRIMARY KEY); CREATE TABLE child(p INTEGER REFERENCES parent(id))");
  db.exec("PRAGMA foreign_keys=ON");
  {
    store::ForeignKeysOff off(db);
    EXPECT_TRUE(off.switched());
    store::Transaction t(db);
    EXPECT_FALSE(foreign_keys_on(db));
    db.exec("INSERT INTO parent VALUES(1); INSERT INTO child VALUES(1)");
    t.commit();
  }
  EXPECT_TRUE(foreign_keys_on(db));
  // rolled back by an exception: on again too
  try {
    store::ForeignKeysOff off(db);
    store::Transaction t(db);
    db.exec("INSERT INTO child VALUES(1)");
    throw std::runtime_error("interrupted");
  } catch (const std::runtime_error&) {
  }
  EXPECT_TRUE(foreign_keys_on(db));
  EXPECT_THROW(db.exec("INSERT INTO child VALUES(7)"), Error);  // enforced again
  // inside a caller's transaction it changes nothing: the checks stay on and every row is checked
  {
    store::Transaction t(db);
    store::ForeignKeysOff off(db);
    EXPECT_FALSE(off.switched());
    EXPECT_TRUE(foreign_keys_on(db));
    EXPECT_THROW(db.exec("INSERT INTO child VALUES(8)"), Error);
  }
  EXPECT_TRUE(foreign_keys_on(db));
  // left off where they were off
  db.exec("PRAGMA foreign_keys=OFF");
  {
    store::ForeignKeysOff off(db);
    EXPECT_FALSE(off.switched());
  }
  EXPECT_FALSE(foreign_keys_on(db));
}

}  // namespace
}  // namespace panocarbon

// Foreign-key checks off for one writer's transaction (internal to src/store; used by store_lca.cpp and
// store_natural.cpp).
#pragma once
#include "store/sqlite.hpp"

namespace panocarbon::store {

// Turns the connection's foreign-key checks off, and back on when destroyed if it turned them off. SQLite
// ignores the pragma inside a transaction: construct this before the Transaction, so that it is destroyed after
// it (committed or rolled back); inside a caller's transaction it changes nothing (switched() is false) and
// SQLite goes on checking every row. For writers whose rows name a parent row they have just inserted
// themselves in the same transaction (the LCA import's db_id, a run's natural_methods ids), where the per-row
// check of the parent always succeeds; a parent the writer did not insert it checks once itself when switched().
class ForeignKeysOff {
 public:
  explicit ForeignKeysOff(Db& db) : db_(db) {
    if (sqlite3_get_autocommit(db_.handle()) == 0) return;  // inside a transaction: the pragma would be ignored
    Stmt s(db_.handle(), "PRAGMA foreign_keys");
    switched_ = s.step() && s.integer(0) != 0;
    s.reset();
    if (switched_) db_.exec("PRAGMA foreign_keys=OFF");
  }
  ForeignKeysOff(const ForeignKeysOff&) = delete;
  ForeignKeysOff& operator=(const ForeignKeysOff&) = delete;
  ~ForeignKeysOff() {
    if (switched_) sqlite3_exec(db_.handle(), "PRAGMA foreign_keys=ON", nullptr, nullptr, nullptr);
  }
  // Whether the checks were on and this switched them off (not inside a transaction, not already off).
  bool switched() const { return switched_; }

 private:
  Db& db_;
  bool switched_ = false;
};

}  // namespace panocarbon::store

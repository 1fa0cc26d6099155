// Foreign-key checks off for one writer's transaction (internal to src/store; used by store_lca.cpp).
#pragma once
#include "store/sqlite.hpp"

namespace panocarbon::store {

// Turns the connection's foreign-key checks off, and back on when destroyed if they were on. SQLite ignores
// the pragma inside a transaction: construct this before the Transaction, so that it is destroyed after it
// (committed or rolled back). For writers whose rows name a parent row they have just inserted themselves in
// the same transaction (the LCA import's db_id), where the per-row check of the parent always succeeds.
class ForeignKeysOff {
 public:
  explicit ForeignKeysOff(Db& db) : db_(db) {
    Stmt s(db_.handle(), "PRAGMA foreign_keys");
    on_ = s.step() && s.integer(0) != 0;
    s.reset();
    if (on_) db_.exec("PRAGMA foreign_keys=OFF");
  }
  ForeignKeysOff(const ForeignKeysOff&) = delete;
  ForeignKeysOff& operator=(const ForeignKeysOff&) = delete;
  ~ForeignKeysOff() {
    if (on_) sqlite3_exec(db_.handle(), "PRAGMA foreign_keys=ON", nullptr, nullptr, nullptr);
  }

 private:
  Db& db_;
  bool on_ = false;
};

}  // namespace panocarbon::store

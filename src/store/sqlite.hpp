// A thin RAII layer over the SQLite C API (internal; the only code that includes sqlite3.h is src/store).
// Every error it throws is an Error{Database} whose context names the database file and whose message says
// what to do (db_error below).
#pragma once
#include <sqlite3.h>

#include <cmath>
#include <string>
#include <string_view>

#include "panocarbon/error.hpp"

namespace panocarbon::store {

class Db;

// The Error for a failed SQLite call on `db`: `what` failed, SQLite's message, the database path, and advice
// that depends on the result code (read-only, locked, full disk, corrupt, constraint).
// How long a connection waits for another process's lock before SQLITE_BUSY.
constexpr int kBusyTimeoutMs = 60000;

[[noreturn]] void throw_db_error(sqlite3* db, int rc, std::string_view what);

class Stmt {
 public:
  Stmt(sqlite3* db, std::string_view sql);
  Stmt(const Stmt&) = delete;
  ~Stmt();
  Stmt& bind(int i, std::string_view v);
  // Text that stays alive and unchanged until the statement is stepped and reset (SQLite does not copy it).
  Stmt& bind_unowned(int i, std::string_view v);
  Stmt& bind(int i, double v);  // NaN binds NULL
  Stmt& bind(int i, long long v);
  Stmt& bind(int i, int v) { return bind(i, static_cast<long long>(v)); }
  Stmt& bind_null(int i);
  Stmt& bind_blob(int i, const void* data, size_t bytes);
  std::string_view blob(int col) const;  // valid until the next step
  bool step();  // true while a row is available
  void run();   // step to completion, then reset
  void reset();
  std::string text(int col) const;
  double real(int col) const;  // NULL reads as NaN
  long long integer(int col) const;
  bool is_null(int col) const;
  sqlite3_stmt* raw() const { return s_; }

 private:
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
};

class Db {
 public:
  // Opens read-write (creating the file), or read-only when `read_only` is not empty: then it says why (e.g.
  // "its folder /x is not writable"), and a write fails with an error that repeats it.
  explicit Db(const std::string& path, std::string read_only = {});
  Db(const Db&) = delete;
  ~Db();
  sqlite3* handle() const { return db_; }
  void exec(std::string_view sql);
  [[noreturn]] void fail(std::string_view what) const;
  const std::string& path() const { return path_; }
  const std::string& read_only() const { return read_only_; }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
  std::string read_only_;
};

// Commits on commit(); rolls back when destroyed without it (exceptions included). IMMEDIATE takes the write
// lock at once (waiting up to the busy timeout for another writer), so that what is read inside the
// transaction stays true until it commits; EXCLUSIVE also keeps readers out (rollback journal; under WAL it is
// the same as IMMEDIATE).
class Transaction {
 public:
  enum Mode { Immediate, Exclusive };
  explicit Transaction(Db& db, Mode mode = Immediate) : db_(db) {
    db_.exec(mode == Exclusive ? "BEGIN EXCLUSIVE" : "BEGIN IMMEDIATE");
  }
  Transaction(const Transaction&) = delete;
  ~Transaction() {
    if (!done_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
  void commit() {
    db_.exec("COMMIT");
    done_ = true;
  }

 private:
  Db& db_;
  bool done_ = false;
};

}  // namespace panocarbon::store

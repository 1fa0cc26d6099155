// A thin RAII layer over the SQLite C API (internal; the only code that includes sqlite3.h is src/store).
#pragma once
#include <sqlite3.h>

#include <cmath>
#include <string>
#include <string_view>

#include "panocarbon/error.hpp"

namespace panocarbon::store {

class Db;

class Stmt {
 public:
  Stmt(sqlite3* db, std::string_view sql);
  Stmt(const Stmt&) = delete;
  ~Stmt();
  Stmt& bind(int i, std::string_view v);
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

 private:
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
};

class Db {
 public:
  explicit Db(const std::string& path);
  Db(const Db&) = delete;
  ~Db();
  sqlite3* handle() const { return db_; }
  void exec(std::string_view sql);
  [[noreturn]] void fail(std::string_view what) const;
  const std::string& path() const { return path_; }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

// Commits on commit(); rolls back when destroyed without it (exceptions included).
class Transaction {
 public:
  explicit Transaction(Db& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }
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

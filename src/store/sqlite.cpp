#include "store/sqlite.hpp"

#include <fmt/format.h>

#include <filesystem>

namespace panocarbon::store {

namespace {

std::string db_path(sqlite3* db) {
  const char* f = db ? sqlite3_db_filename(db, "main") : nullptr;
  return f && *f ? std::string(f) : std::string(":memory:");
}

std::string advice(int rc, const std::string& path) {
  const std::string folder = std::filesystem::path(path).parent_path().string();
  switch (rc & 0xff) {
    case SQLITE_READONLY:
      return fmt::format("the database is read-only for this process (the file or its folder {} is not writable): "
                         "commands that only read it work; to write, make both writable, or choose another "
                         "database with --db",
                         folder.empty() ? "." : folder);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return fmt::format("another process held the database for more than {} s; try again when it has finished, "
                         "or choose another database with --db",
                         kBusyTimeoutMs / 1000);
    case SQLITE_FULL: return "the disk is full: free some space, or choose another database with --db";
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return fmt::format("the file is damaged or not a database: check it with `panocarbon db repair --db {}`, "
                         "restore a copy, or choose another database with --db",
                         path);
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_PERM:
      return "the file cannot be read or written: check the permissions of the file and of its folder and the "
             "free space, or choose another database with --db";
    case SQLITE_CONSTRAINT:
      return "a value broke a rule of the table; this is a bug of panocarbon: please report it with the command "
             "that caused it";
    default:
      return fmt::format("if it happens again, check the file with `panocarbon db repair --db {}` or choose another "
                         "database with --db",
                         path);
  }
}
}  // namespace

void throw_db_error(sqlite3* db, int rc, std::string_view what) {
  const std::string path = db_path(db);
  const std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  throw Error(ErrorCategory::Database, fmt::format("{} ({}); {}", what, msg, advice(rc, path)), ErrorContext{path});
}

Db::Db(const std::string& path, std::string read_only) : path_(path), read_only_(std::move(read_only)) {
  int flags = SQLITE_OPEN_NOMUTEX;
  std::string name = path;
  if (read_only_.empty()) {
    flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  } else {
    // Read-only: the folder may not allow the -wal and -shm files that WAL mode needs, so the file is opened as
    // immutable (no locks, no journal). Nothing can be written through this connection.
    flags |= SQLITE_OPEN_READONLY | SQLITE_OPEN_URI;
    std::string uri = "file:";
    for (const char c : std::filesystem::absolute(path).string()) {
      if (c == '%' || c == '?' || c == '#') uri += fmt::format("%{:02X}", static_cast<unsigned char>(c));
      else uri += c;
    }
    name = uri + "?immutable=1";
  }
  // SQLite's allocation statistics (on by default) take a global mutex on every allocation; nothing reads them.
  // Only possible before SQLite initialises (its first use in the process: this, the one place that opens a
  // connection); where something else initialised it first, SQLite refuses the call and nothing changes.
  static const bool no_memstatus = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK;
  (void)no_memstatus;
  const int rc = sqlite3_open_v2(name.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error(ErrorCategory::Database,
                fmt::format("cannot open the database ({}); check the path and the permissions of the file and its "
                            "folder, or choose another database with --db",
                            msg),
                ErrorContext{path});
  }
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
}

Db::~Db() { sqlite3_close(db_); }

void Db::fail(std::string_view what) const { throw_db_error(db_, sqlite3_errcode(db_), what); }

void Db::exec(std::string_view sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    sqlite3_free(err);
    std::string what = fmt::format("SQL failed: {}", sql.substr(0, 60));
    if (sql.size() > 60) what += "...";
    if (!read_only_.empty() && (rc & 0xff) == SQLITE_READONLY)
      throw Error(ErrorCategory::Database,
                  fmt::format("cannot write: the database was opened read-only because {}; commands that only read "
                              "it work; to write, make it writable, or choose another database with --db",
                              read_only_),
                  ErrorContext{path_});
    throw_db_error(db_, rc, what);
  }
}

Stmt::Stmt(sqlite3* db, std::string_view sql) : db_(db) {
  const int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &s_, nullptr);
  if (rc != SQLITE_OK) throw_db_error(db, rc, fmt::format("cannot prepare SQL: {}", sql.substr(0, 80)));
}
Stmt::~Stmt() { sqlite3_finalize(s_); }

Stmt& Stmt::bind(int i, std::string_view v) {
  sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::bind_unowned(int i, std::string_view v) {
  sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  return *this;
}
Stmt& Stmt::bind(int i, double v) {
  if (std::isnan(v)) return bind_null(i);
  sqlite3_bind_double(s_, i, v);
  return *this;
}
Stmt& Stmt::bind(int i, long long v) {
  sqlite3_bind_int64(s_, i, v);
  return *this;
}
Stmt& Stmt::bind_blob(int i, const void* data, size_t bytes) {
  sqlite3_bind_blob64(s_, i, data, static_cast<sqlite3_uint64>(bytes), SQLITE_TRANSIENT);
  return *this;
}

std::string_view Stmt::blob(int col) const {
  const void* p = sqlite3_column_blob(s_, col);
  const int n = sqlite3_column_bytes(s_, col);
  return p ? std::string_view(static_cast<const char*>(p), static_cast<size_t>(n)) : std::string_view();
}

Stmt& Stmt::bind_null(int i) {
  sqlite3_bind_null(s_, i);
  return *this;
}
bool Stmt::step() {
  const int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string sql = sqlite3_sql(s_) ? sqlite3_sql(s_) : "";
  if (sql.size() > 60) sql = sql.substr(0, 60) + "...";
  throw_db_error(db_, rc, fmt::format("SQL failed: {}", sql));
}
void Stmt::run() {
  while (step()) {
  }
  reset();
}
void Stmt::reset() {
  sqlite3_reset(s_);
  sqlite3_clear_bindings(s_);
}
std::string Stmt::text(int col) const {
  const auto* p = sqlite3_column_text(s_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(s_, col))) : std::string();
}
double Stmt::real(int col) const {
  return sqlite3_column_type(s_, col) == SQLITE_NULL ? std::nan("") : sqlite3_column_double(s_, col);
}
long long Stmt::integer(int col) const { return sqlite3_column_int64(s_, col); }
bool Stmt::is_null(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }

}  // namespace panocarbon::store

// Shared by the store's source files (internal): store.cpp (open, migrations, factors, search, run log),
// store_mrio.cpp, store_lca.cpp, store_natural.cpp.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace panocarbon {
// SQLite's current time as ISO 8601 UTC with milliseconds, for the *_at columns.
inline constexpr const char* kNow = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";
// Each word of a search becomes a quoted prefix term; all must match (FTS5 implicit AND). Throws
// Error{InvalidInput} for a query without words.
std::string fts_query(std::string_view query);
// The writers' last line of defence: throws Error{Data} naming table.field, whose it is ("run 12", "LCA
// database X") and the row when `v` is infinite, or NaN where NaN is not allowed (NaN is stored as NULL where
// the column allows it).
void check_finite(std::string_view table, std::string_view field, std::string_view owner, double v,
                  std::string_view row, bool nan_allowed = false);
}  // namespace panocarbon

// The ISO 3166-1 countries of the project's data (internal): data/iso3166.csv (numeric, alpha-3, English name)
// with data/iso3166_alpha2.csv (alpha-2), read once from the embedded tables. The one reader of these tables for
// the ledger's names, CBAM's country parsing and the chat's country lookup.
#pragma once
#include <string>
#include <vector>

namespace panocarbon {

struct IsoCountry {
  std::string numeric, alpha2, alpha3, name;  // alpha2 empty where the table has none
};

// In the order of data/iso3166.csv.
const std::vector<IsoCountry>& iso_countries();

}  // namespace panocarbon

// Reader of the Global Carbon Budget 2019 national fossil CO2 emissions (Friedlingstein et al. 2019), as the
// openclimatedata `global-carbon-budget` data package lays them out: territorial-emissions.csv
// (Code,Year,Emissions,Source; MtC), consumption-emissions.csv (Code,Year,Consumption-Emissions; MtC),
// emissions-transfers.csv (Code,Year,Emissions-Transfers; MtC) and country-definitions.csv
// (Number,Code,Name,Description). Values stay in MtC here; the ledger converts them (x 44/12).
#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace panocarbon::io {

struct GcbRow {
  std::string code;  // ISO 3166-1 alpha-3, or a group ("World", "Africa", "EUU", "Bunkers", ...)
  int year = 0;
  double mtc = 0;    // MtC
  std::string origin;  // territorial: the file's Source column (CDIAC, UNFCCC, BP); else ""
};

struct Gcb2019 {
  std::vector<GcbRow> territorial, consumption, transfers;  // empty cells are left out
  std::map<std::string, std::string> names;                 // country-definitions.csv: code -> name
  std::vector<std::filesystem::path> files;                 // the files read
};

// The files that make a GCB 2019 folder (territorial-emissions.csv is required, the others optional).
inline constexpr const char* kGcbTerritorial = "territorial-emissions.csv";
bool is_gcb2019_folder(const std::filesystem::path& folder);

// Reads the folder. Throws Error{InvalidInput} naming the file, line and field of a bad header, a year that is
// not a whole number or a value that is not a finite number (up to 20 bad rows in one message), Error{Io} when
// a file cannot be read.
Gcb2019 read_gcb2019(const std::filesystem::path& folder);

}  // namespace panocarbon::io

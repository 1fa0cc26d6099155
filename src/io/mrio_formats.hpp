// Readers of the MRIO formats that are not pymrio's text layout: Eora26 (tab-separated T, FD, VA, Q, QY
// with label files), the OECD ICIO CSV (one square-ish table with COU_IND labels) and the USEEIO API's
// JSON folder (A, B, C, sectors, flows, demand vectors). Each returns a system finished by
// finish_from_flows() or finish_from_coefficients(); read_mrio() dispatches to them by the looks_like_*
// checks. Bad input throws Error{InvalidInput} naming the file, line and label and what to do.
#pragma once
#include <string>

#include "panocarbon/mrio.hpp"

namespace panocarbon::mrio_io {

// A folder holding labels_T.txt and one Eora26_<year>_<bp|pp>_T.txt.
bool looks_like_eora26(const std::string& folder);
// Z = T, Y = FD; extensions "Q" (F = Q, F_Y = QY) and "VA" (F = VA). The "ROW" region (Eora26's
// statistical discrepancy, one "TOTAL" sector) is dropped as pymrio's parse_eora26 does; the amounts lost
// are recorded in provenance["dropped"].
MrioSystem read_eora26(const std::string& folder);

// A .csv file whose header has COU_IND industry columns, COU_HFCE-style final demand columns and OUT.
bool looks_like_oecd_icio(const std::string& csv_path);
// Z = the COU_IND x COU_IND block, Y = the final demand columns, x = the OUT column (x_given). TLS and VA
// rows are primary inputs (not part of Z, no extension); their totals go to provenance. CN1.. / MX1..
// split rows and columns (older releases) are folded into CHN / MEX as pymrio's parse_oecd does.
MrioSystem read_oecd_icio(const std::string& csv_path);

// A folder holding matrix/A.json and sectors.json.
bool looks_like_useeio(const std::string& folder);
// A given (coefficient form); Y from the demand vectors (see mrio_useeio.cpp for the split of the
// consumption and production vectors); x = (I - A)^-1 y unless matrix/q.json or matrix/x.json give it;
// extensions "ghg" (F = B x^) and "ghg_indicators" (F = C B x^) when B and C are there.
MrioSystem read_useeio(const std::string& folder);

}  // namespace panocarbon::mrio_io

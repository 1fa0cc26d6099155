// The natural side of a country's account (issue 6; docs/natural-account.md): the records of natural_fluxes
// (forest land, fires, natural CH4, sinks), converted to t CO2-e with one GWP100 set, and summed in the views
// that Grassi et al. (2018, Nature Climate Change 8, 914-920) reconcile:
//   national inventory  I = sum of x_i over records on managed land (IPCC managed-land proxy, any origin)
//   global carbon budget B = sum of x_i over direct-anthropogenic records (GCB E_LUC: bookkeeping models)
//   remainder           N = sum of x_i over records in neither view (natural and indirect fluxes off managed land)
//   difference          D = I - B = sum over managed, not direct - sum over direct, not managed
// where x_i = value_i x GWP100(species_i). Ranges add as fully correlated (a conservative bound): the lower end
// of a sum is the sum of the lower ends (a record without a range contributes its value to both ends); in D the
// subtracted records contribute -upper to the lower end.
#pragma once
#include <string>
#include <vector>

#include "panocarbon/gwp.hpp"
#include "panocarbon/natural_fluxes.hpp"

namespace panocarbon::natural {

struct AccountSum {
  double value = 0, lower = 0, upper = 0;  // t CO2-e
  void add(double v, double lo, double hi) {
    value += v;
    lower += lo;
    upper += hi;
  }
};

struct AccountLine {
  std::string module;  // "" in the total line
  size_t records = 0, with_range = 0;
  AccountSum total, inventory, budget, remainder, difference;
};

struct NaturalAccount {
  std::string gwp_set, gwp_document;
  std::vector<AccountLine> modules;  // in order of first appearance
  AccountLine total;
  // Records left out of CO2-e: species without a GWP100 in the set (CO, NOx, aerosols, ...) or not in tonnes;
  // one line per module and species, e.g. "fire-gfed CO: 168 records (no GWP100 in AR5)".
  std::vector<std::string> skipped;
};

// GWP100 of a record's species in `set`; NaN when the species has none (left out). CH4 in a set that splits
// fossil and non-fossil methane (AR6): fossil for geological seeps (note "Geological ..."), non-fossil for the
// rest (biomass burning, wetlands, termites: recent biogenic carbon).
double record_gwp(const NaturalFluxRecord& r, const GwpSet& set);

NaturalAccount natural_account(const std::vector<NaturalFluxRecord>& records, const GwpSet& set);

}  // namespace panocarbon::natural

// Helpers shared by the MRIO readers (src/io/mrio_*.cpp) and the MRIO engine (stressor names, gases):
// building the system from flows or coefficients and the checks every format gets.
#pragma once
#include <string>
#include <vector>

#include "panocarbon/mrio.hpp"

namespace panocarbon::mrio_io {

// From dense row-major values: drops zeros.
SparseRows sparse_from_dense(const DenseMatrix& m);

// Flow form: Z given (n x n). Sets x (unless system.x_given: then checks its length), checks x >= 0
// (naming `file` and the sector's labels on failure), and sets A = Z x^-1 (columns with x = 0 stay 0).
void finish_from_flows(MrioSystem& system, SparseRows&& Z, const std::string& file);

// Coefficient form: A given. When x is not given it stays empty: compute_accounts derives x = (I - A)^-1 y
// from its own factorisation, ensure_gross_output() does it for everything else.
void finish_from_coefficients(MrioSystem& system, SparseRows&& A, const std::string& file);

// Sectors with no intermediate flow in or out (row and column of Z or A empty).
std::vector<bool> isolated_sectors(const SparseRows& m);

// "region|sector" label of sector k, for messages.
std::string sector_label(const MrioSystem& system, size_t k);

// A stressor's gas: the part before '|', before " - ", trimmed, as a canonical gas name (CO2, CH4, ...).
std::string gas_token(const std::string& stressor);
// A stressor name matches a wanted one exactly or by the part before '|'.
bool stressor_matches(const std::string& name, const std::string& wanted);

}  // namespace panocarbon::mrio_io

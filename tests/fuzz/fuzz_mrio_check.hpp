// The checks shared by the MRIO targets: a system a reader returns has consistent shapes and finite numbers;
// small systems then go through the Leontief accounts.
#pragma once
#include <map>
#include <string>

#include "fuzz_common.hpp"
#include "panocarbon/mrio.hpp"

namespace fuzz {

inline void check_system(const panocarbon::MrioSystem& s) {
  using namespace panocarbon;
  const size_t n = s.n();
  if (s.A.rows != n || s.A.cols != n || s.A.row_start.size() != n + 1) fail("MrioSystem::A is not n x n");
  for (const auto c : s.A.col)
    if (c >= n) fail("MrioSystem::A has a column index out of range");
  check_finite(s.A, "MrioSystem::A");
  if (!s.x.empty() && s.x.size() != n) fail("MrioSystem::x is not of length n");
  check_all_finite(s.x, "MrioSystem::x");
  if (s.Y.rows != n || s.Y.cols != s.n_regions() * s.n_categories()) fail("MrioSystem::Y has the wrong shape");
  check_finite(s.Y, "MrioSystem::Y");
  check_all_finite(s.population, "MrioSystem::population");
  for (const MrioExtension& e : s.extensions) {
    if (e.F.rows != e.stressors.size() || e.F.cols != n) fail("MrioExtension::F has the wrong shape");
    check_finite(e.F, "MrioExtension::F");
    check_finite(e.F_Y, "MrioExtension::F_Y");
  }
  if (n == 0 || n > 64) return;
  guarded([&] { compute_accounts(s); });
}

// Writes `files` (relative path -> contents) into a fresh scratch folder and returns the folder.
inline std::filesystem::path write_folder(const std::map<std::string, std::string_view>& files) {
  auto& scratch = Scratch::get();
  scratch.fresh();
  for (const auto& [rel, text] : files) scratch.write(rel, text);
  return scratch.dir();
}

// Parts (split at lines "---") as the files `names`, in order, of a fresh scratch folder.
template <size_t N>
std::filesystem::path write_parts(std::string_view input, const char* const (&names)[N]) {
  const auto parts = split_parts(input);
  std::map<std::string, std::string_view> files;
  for (size_t i = 0; i < parts.size() && i < N; ++i) files[names[i]] = parts[i];
  return write_folder(files);
}

}  // namespace fuzz

// The checks shared by the LCA targets: every number of a database or a method is finite and every index
// in range; then the product system of the database is built and each of its providers calculated.
#pragma once
#include "fuzz_common.hpp"
#include "panocarbon/lca.hpp"

namespace fuzz {

inline void check_uncertainty(const panocarbon::lca::Uncertainty& u) {
  for (const double v : {u.a, u.b, u.c, u.sigma_ln, u.basic_variance}) check_finite(v, "Exchange::uncertainty");
}

inline void check_database(const panocarbon::lca::Database& db) {
  using namespace panocarbon::lca;
  for (const Flow& f : db.flows)
    for (const auto& [name, v] : f.properties) check_finite(v, "Flow::properties");
  for (const Process& p : db.processes) {
    for (const Exchange& e : p.exchanges) {
      if (e.flow < 0 || static_cast<size_t>(e.flow) >= db.flows.size()) fail("Exchange::flow out of range");
      check_finite(e.amount, "Exchange::amount");
      check_uncertainty(e.uncertainty);
    }
    for (const AllocationFactor& a : p.allocation) {
      check_finite(a.value, "AllocationFactor::value");
      // -1: a factor for a product the database does not know (it then allocates nothing)
      if (a.product < -1 || a.product >= static_cast<int32_t>(db.flows.size())) fail("AllocationFactor::product out of range");
      if (a.exchange < -1 || a.exchange >= static_cast<int32_t>(p.exchanges.size()))
        fail("AllocationFactor::exchange out of range");
    }
  }
}

inline void check_method(const panocarbon::lca::Method& m) {
  for (const auto& c : m.categories)
    for (const auto& f : c.factors) check_finite(f.value, "CharacterisationFactor::value");
}

// The system behind the database, each provider calculated with the built-in GWP method (small systems only).
inline void calculate_all(const panocarbon::lca::Database& db) {
  using namespace panocarbon;
  guarded([&] {
    const lca::ProductSystem sys = lca::build_system(db, {});
    if (sys.providers.empty() || sys.providers.size() > 64) return;
    const lca::Solver solver(sys);
    static const lca::Method m = lca::builtin_gwp_method("AR6");
    const lca::FlowMapping map = lca::map_flows(db, m);
    for (size_t j = 0; j < sys.providers.size(); ++j) {
      const auto r = lca::calculate(sys, solver, m, map, {static_cast<int32_t>(j), 1.0});
      lca::upstream_tree(r, solver, map, 0, 0.01, 4);
    }
  });
}

}  // namespace fuzz

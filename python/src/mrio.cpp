// MRIO systems and accounts for Python: read_mrio() and compute_accounts() of the library (mrio.hpp), their
// matrices as numpy arrays. panocarbon/mrio.py turns them into pymrio-indexed DataFrames. Reading and solving
// release the GIL.
#include <pybind11/stl.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "common.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/mrio.hpp"

namespace pc = panocarbon;

namespace pcpy {
namespace {

struct System {
  std::shared_ptr<const pc::MrioSystem> s;
};

pc::SolverChoice solver_of(const std::string& name) {
  if (name == "auto") return pc::SolverChoice::Auto;
  if (name == "dense") return pc::SolverChoice::Dense;
  if (name == "mixed") return pc::SolverChoice::Mixed;
  if (name == "sparse") return pc::SolverChoice::Sparse;
  if (name == "iterative") return pc::SolverChoice::Iterative;
  invalid(fmt::format("solver must be one of auto, dense, mixed, sparse, iterative, not '{}'", name), "solver");
}

System load(const std::string& path, int threads) {
  if (path.empty()) invalid("path is empty; give an MRIO folder, .zip or file", "path");
  if (threads < 0 || threads > 1024) invalid(fmt::format("threads must be between 0 and 1024, not {}", threads), "threads");
  std::error_code ec;
  (void)std::filesystem::status(path, ec);
  if (ec == std::errc::too_many_symbolic_link_levels)
    throw pc::Error(pc::ErrorCategory::InvalidInput,
                    "path names a symbolic link that loops (through links it points back at itself); give the "
                    "folder itself",
                    pc::ErrorContext{path, 0, 0, "path"});
  py::gil_scoped_release release;
  pc::ReadOptions o;
  o.progress = false;
  o.threads = threads;
  auto s = std::make_shared<pc::MrioSystem>(pc::read_mrio(path, o));
  pc::ensure_gross_output(*s);  // coefficient-form systems without x: x = L y, so that Z = A x is defined
  return System{std::move(s)};
}

py::dict extension_dict(const pc::MrioExtension& e) {
  py::dict d;
  d["name"] = e.name;
  d["stressors"] = e.stressors;
  d["units"] = e.units;
  d["F"] = array2(e.F);
  d["F_Y"] = e.F_Y.empty() ? py::object(py::none()) : py::object(array2(e.F_Y));
  return d;
}

py::dict region_accounts(const pc::StressorAccounts& a, size_t R) {
  // One array per account, in MrioSystem::regions order.
  std::vector<double> pba(R), cba(R), imp(R), exp(R), fd(R), inc(R), shared(R), eebt_c(R), eebt_e(R), cpc(R), ppc(R);
  for (size_t r = 0; r < R; ++r) {
    const auto& x = a.regions[r];
    pba[r] = x.production;
    cba[r] = x.consumption;
    imp[r] = x.imports;
    exp[r] = x.exports;
    fd[r] = x.direct_fd;
    inc[r] = x.income;
    shared[r] = x.shared;
    eebt_c[r] = x.eebt_consumption;
    eebt_e[r] = x.eebt_exports;
    cpc[r] = x.consumption_per_capita.value_or(std::nan(""));
    ppc[r] = x.production_per_capita.value_or(std::nan(""));
  }
  py::dict d;
  d["production"] = array1(pba);
  d["consumption"] = array1(cba);
  d["imports"] = array1(imp);
  d["exports"] = array1(exp);
  d["direct_fd"] = array1(fd);
  d["income"] = array1(inc);
  d["shared"] = array1(shared);
  d["eebt_consumption"] = array1(eebt_c);
  d["eebt_exports"] = array1(eebt_e);
  d["consumption_per_capita"] = array1(cpc);
  d["production_per_capita"] = array1(ppc);
  return d;
}

py::dict accounts(const System& sys, const std::vector<std::string>& extensions,
                  const std::vector<std::string>& stressors, const std::optional<std::string>& gwp,
                  const std::string& solver, double shared_weight, bool leontief) {
  if (!(shared_weight >= 0 && shared_weight <= 1))
    invalid(fmt::format("shared_weight must be between 0 and 1, not {}", shared_weight), "shared_weight");
  pc::AccountsOptions o;
  o.solver = solver_of(solver);
  o.extensions = extensions;
  o.stressors = stressors;
  if (gwp) {
    if (*gwp != "AR4" && *gwp != "AR5" && *gwp != "AR6")
      invalid(fmt::format("gwp must be one of AR4, AR5, AR6, not '{}'", *gwp), "gwp");
    o.gwp = *gwp;
  }
  o.shared_weight = shared_weight;
  o.leontief = leontief;
  o.progress = false;
  pc::MrioAccounts acc;
  {
    py::gil_scoped_release release;
    acc = pc::compute_accounts(*sys.s, o);
  }
  const size_t R = sys.s->n_regions(), n = sys.s->n();
  py::dict out;
  py::dict report;
  report["solver"] = acc.report.solver;
  report["why"] = acc.report.why;
  report["n"] = acc.report.n;
  report["nnz"] = acc.report.nnz;
  report["factorise_s"] = acc.report.factorise_s;
  report["solve_s"] = acc.report.solve_s;
  report["iterations"] = acc.report.iterations;
  report["max_residual"] = acc.report.max_residual;
  report["identity_gap"] = acc.report.identity_gap;
  report["output_balance"] = acc.report.output_balance;
  out["report"] = report;
  out["notes"] = acc.notes;
  out["output_by_region"] = array2(acc.output_by_region);
  py::list list;
  for (const auto& a : acc.stressors) {
    py::dict d;
    d["extension"] = a.extension;
    d["stressor"] = a.stressor;
    d["unit"] = a.unit;
    d["regions"] = region_accounts(a, R);
    d["bilateral"] = array2(a.bilateral);
    d["eebt"] = a.eebt.empty() ? py::object(py::none()) : py::object(array2(a.eebt));
    d["multipliers"] = array1(a.multipliers);
    d["intensities"] = array1(a.intensities);
    list.append(d);
  }
  out["stressors"] = list;
  if (leontief) {
    // column-major n x n: the transpose of a row-major read
    py::array_t<double> L({static_cast<py::ssize_t>(n), static_cast<py::ssize_t>(n)},
                          {static_cast<py::ssize_t>(sizeof(double)), static_cast<py::ssize_t>(n * sizeof(double))});
    std::memcpy(L.mutable_data(), acc.L.data(), n * n * sizeof(double));
    out["L"] = L;
  }
  return out;
}

}  // namespace

void bind_mrio(py::module_& m) {
  py::class_<System>(m, "MrioSystemData", "An MRIO system as read by the library (use panocarbon.mrio.load).")
      .def_property_readonly("name", [](const System& s) { return s.s->name; })
      .def_property_readonly("format", [](const System& s) { return s.s->format; })
      .def_property_readonly("source", [](const System& s) { return s.s->source; })
      .def_property_readonly("monetary_unit", [](const System& s) { return s.s->monetary_unit; })
      .def_property_readonly("regions", [](const System& s) { return s.s->regions; })
      .def_property_readonly("sectors", [](const System& s) { return s.s->sectors; })
      .def_property_readonly("fd_categories", [](const System& s) { return s.s->fd_categories; })
      .def_property_readonly("population",
                             [](const System& s) {
                               return s.s->population.empty() ? py::object(py::none())
                                                              : py::object(array1(s.s->population));
                             })
      .def_property_readonly("x", [](const System& s) { return array1(s.s->x); })
      .def_property_readonly("x_given", [](const System& s) { return s.s->x_given; })
      .def_property_readonly("Y", [](const System& s) { return array2(s.s->Y); })
      .def(
          "A_dense",
          [](const System& s) {
            const auto& A = s.s->A;
            py::array_t<double> a({static_cast<py::ssize_t>(A.rows), static_cast<py::ssize_t>(A.cols)});
            double* d = a.mutable_data();
            std::fill(d, d + A.rows * A.cols, 0.0);
            for (size_t i = 0; i < A.rows; ++i)
              for (int64_t p = A.row_start[i]; p < A.row_start[i + 1]; ++p) d[i * A.cols + A.col[p]] = A.value[p];
            return a;
          },
          "A as a dense n x n array.")
      .def(
          "A_csr",
          [](const System& s) {
            const auto& A = s.s->A;
            py::array_t<int64_t> indptr(static_cast<py::ssize_t>(A.row_start.size()));
            std::memcpy(indptr.mutable_data(), A.row_start.data(), A.row_start.size() * sizeof(int64_t));
            py::array_t<int64_t> indices(static_cast<py::ssize_t>(A.col.size()));
            for (size_t p = 0; p < A.col.size(); ++p) indices.mutable_data()[p] = A.col[p];
            return py::make_tuple(array1(A.value), indices, indptr, py::make_tuple(A.rows, A.cols));
          },
          "A in compressed sparse rows: (data, indices, indptr, shape), as scipy.sparse.csr_matrix takes it.")
      .def_property_readonly("extensions",
                             [](const System& s) {
                               py::list l;
                               for (const auto& e : s.s->extensions) l.append(extension_dict(e));
                               return l;
                             })
      .def_property_readonly("provenance", [](const System& s) { return to_python(s.s->provenance); })
      .def("accounts", &accounts, py::arg("extensions") = std::vector<std::string>{},
           py::arg("stressors") = std::vector<std::string>{}, py::arg("gwp") = py::none(), py::arg("solver") = "auto",
           py::arg("shared_weight") = 0.5, py::arg("leontief") = false,
           "compute_accounts(): every account of the selected stressors with one factorisation of I - A.");
  m.def("mrio_load", &load, py::arg("path"), py::arg("threads") = 0,
        "read_mrio(): a pymrio/EXIOBASE folder or .zip, an Eora26 folder, an OECD ICIO CSV or a USEEIO folder.");
}

}  // namespace pcpy

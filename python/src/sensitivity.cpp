// Sobol indices of a Python function (sensitivity.hpp): the library's Saltelli design and estimators with
// bootstrap intervals, the model evaluated by the caller's function with the GIL held (once on the whole
// design when vectorised, else row by row); everything else runs with the GIL released.
#include <pybind11/stl.h>

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "common.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/sensitivity.hpp"

namespace pc = panocarbon;
namespace sens = panocarbon::sens;

namespace pcpy {
namespace {

std::vector<double> outputs_of(const py::object& result, size_t runs, bool vectorized) {
  py::array_t<double, py::array::c_style | py::array::forcecast> y;
  try {
    y = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(result);
  } catch (const py::error_already_set&) {
  }
  if (!y)
    invalid(fmt::format("the function returned a {}, not numbers; {}",
                        py::str(py::type::of(result).attr("__name__")).cast<std::string>(),
                        vectorized ? "a vectorised function returns one number per row of its (runs, parameters) array"
                                   : "it returns one number for one row of parameter values"),
            "func");
  if (static_cast<size_t>(y.size()) != runs)
    invalid(fmt::format("the function returned {} values for {} rows; {}", y.size(), runs,
                        vectorized ? "return one number per row of the (runs, parameters) array it is given, or pass "
                                     "vectorized=False for a function of one row"
                                   : "return one number"),
            "func");
  return std::vector<double>(y.data(), y.data() + y.size());
}

py::dict sobol(const py::object& func, const std::vector<std::pair<double, double>>& bounds, uint64_t n,
               uint64_t seed, uint64_t bootstrap, double confidence, const std::optional<std::vector<std::string>>& names,
               bool vectorized, int threads) {
  if (!PyCallable_Check(func.ptr())) invalid("func must be callable (a function of the parameter values)", "func");
  if (bounds.empty()) invalid("bounds is empty; give one (low, high) pair per parameter", "bounds");
  if (names && names->size() != bounds.size())
    invalid(fmt::format("names has {} names for {} bounds; give one name per parameter", names->size(), bounds.size()),
            "names");
  if (n < 2) invalid(fmt::format("n must be at least 2, not {}", n), "n");
  std::vector<sens::Parameter> ps;
  for (size_t i = 0; i < bounds.size(); ++i) {
    const auto [lo, hi] = bounds[i];
    const std::string name = names ? (*names)[i] : fmt::format("x{}", i + 1);
    if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi))
      invalid(fmt::format("bounds of parameter '{}' are ({}, {}); give finite bounds with low < high", name, lo, hi),
              "bounds");
    ps.push_back({name, panocarbon::unc::uniform(lo, hi)});
  }
  const size_t k = ps.size();
  sens::SobolOptions o;
  o.samples = n;
  o.bootstrap = bootstrap;
  o.confidence = confidence;
  o.seed = seed;
  o.run.threads = threads;
  o.run.progress = false;
  std::vector<double> x;
  {
    py::gil_scoped_release release;
    x = sens::sobol_design(ps, n, seed);
  }
  const size_t runs = x.size() / k;
  std::vector<double> y;
  if (vectorized) {
    y = outputs_of(func(array2(x.data(), runs, k)), runs, true);
  } else {
    y.resize(runs);
    for (size_t r = 0; r < runs; ++r) {
      py::array_t<double> row = array1(std::vector<double>(x.begin() + static_cast<std::ptrdiff_t>(r * k),
                                                           x.begin() + static_cast<std::ptrdiff_t>((r + 1) * k)));
      y[r] = outputs_of(func(row), 1, false)[0];
    }
  }
  sens::SobolResult res;
  InterruptWatch watch;
  try {
    py::gil_scoped_release release;
    pc::ObserveProgress observe(&watch);
    res = sens::sobol_indices(ps, y, o);
  } catch (const pc::Error&) {  // Cancelled, or an Error a layer made of it (with its file)
    if (watch.raised()) watch.reraise();
    throw;
  }
  py::dict d;
  std::vector<std::string> pnames;
  std::vector<double> S1, S1_lo, S1_hi, ST, ST_lo, ST_hi;
  for (const auto& i : res.indices) {
    pnames.push_back(i.parameter);
    S1.push_back(i.S1);
    S1_lo.push_back(i.S1_low);
    S1_hi.push_back(i.S1_high);
    ST.push_back(i.ST);
    ST_lo.push_back(i.ST_low);
    ST_hi.push_back(i.ST_high);
  }
  d["parameters"] = pnames;
  d["S1"] = array1(S1);
  d["S1_low"] = array1(S1_lo);
  d["S1_high"] = array1(S1_hi);
  d["ST"] = array1(ST);
  d["ST_low"] = array1(ST_lo);
  d["ST_high"] = array1(ST_hi);
  d["samples"] = res.samples;
  d["runs"] = res.runs;
  d["bootstrap"] = res.bootstrap;
  d["confidence"] = res.confidence;
  d["mean"] = res.mean;
  d["variance"] = res.variance;
  return d;
}

}  // namespace

void bind_sensitivity(py::module_& m) {
  m.def("sobol", &sobol, py::arg("func"), py::arg("bounds"), py::arg("n"), py::arg("seed") = 0,
        py::arg("bootstrap") = 200, py::arg("confidence") = 0.95, py::arg("names") = py::none(),
        py::arg("vectorized") = true, py::arg("threads") = 0,
        "Sobol first- and total-order indices (Saltelli 2010, Jansen) of func over independent uniform parameters "
        "within bounds, with percentile bootstrap intervals.");
}

}  // namespace pcpy

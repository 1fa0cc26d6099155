// Shared parts of the Python module's C++ side (python/src): JSON <-> Python conversion, numpy arrays from the
// library's containers, and the binders of each part. The module is a front end like the CLI: it computes
// nothing itself; every number comes from the library or from run_capability().
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstring>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "panocarbon/matrix.hpp"

namespace pcpy {
namespace py = pybind11;

// JSON to Python objects (dict, list, str, int, float, bool, None) and back. to_json accepts what a Python
// caller passes as an option: str, os.PathLike, bool, int, float, numpy scalars, lists, tuples, dicts.
py::object to_python(const nlohmann::json& j);
nlohmann::json to_json(const py::handle& o, const std::string& where);

// A copy of a vector as a 1-D numpy array, and of a row-major matrix as a 2-D one.
template <class Vec>
py::array_t<double> array1(const Vec& v) {
  py::array_t<double> a(static_cast<py::ssize_t>(v.size()));
  if (!v.empty()) std::memcpy(a.mutable_data(), v.data(), v.size() * sizeof(double));
  return a;
}
py::array_t<double> array2(const panocarbon::DenseMatrix& m);
py::array_t<double> array2(const double* row_major, size_t rows, size_t cols);

// Raises panocarbon.InvalidInputError (the class of ErrorCategory::InvalidInput) naming `field`.
[[noreturn]] void invalid(const std::string& message, const std::string& field);

void bind_errors(py::module_& m);
void bind_registry(py::module_& m);
void bind_mrio(py::module_& m);
void bind_sensitivity(py::module_& m);

}  // namespace pcpy

// Shared parts of the Python module's C++ side (python/src): JSON <-> Python conversion, numpy arrays from the
// library's containers, and the binders of each part. The module is a front end like the CLI: it computes
// nothing itself; every number comes from the library or from run_capability().
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/progress.hpp"
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

// Ctrl-C during a long call made with the GIL released: installed for the calling thread (ObserveProgress), it
// asks Python for pending signals (taking the GIL for a moment, at most every 50 ms, on that thread only) whenever
// the library checks for cancellation, and asks the work to stop when a signal handler raised. The caller then
// catches the panocarbon::Error that stopped the work and, when raised(), calls reraise() with the GIL: the handler's exception (KeyboardInterrupt).
class InterruptWatch final : public panocarbon::ProgressObserver {
 public:
  InterruptWatch() : owner_(std::this_thread::get_id()) {}
  ~InterruptWatch() override;
  void report(const std::string&, uint64_t, uint64_t) override { poll(); }
  bool cancel_requested() const override {
    poll();
    return raised_.load();
  }
  bool raised() const { return raised_.load(); }
  [[noreturn]] void reraise();  // with the GIL held

 private:
  void poll() const;
  std::thread::id owner_;
  mutable std::atomic<bool> raised_{false};
  mutable std::atomic<int64_t> last_ms_{0};
  mutable PyObject *type_ = nullptr, *value_ = nullptr, *trace_ = nullptr;
};

void bind_errors(py::module_& m);
void bind_registry(py::module_& m);
void bind_mrio(py::module_& m);
void bind_sensitivity(py::module_& m);

}  // namespace pcpy

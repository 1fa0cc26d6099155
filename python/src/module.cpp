// The compiled part of the Python module `panocarbon` (docs/python.md): the exceptions (one class per error
// category), JSON <-> Python conversion, and the module definition. The pure-Python package
// (python/panocarbon/) builds the pythonic API (DataFrames) on these functions.
#include <pybind11/stl.h>

#include <cmath>
#include <string>

#include "common.hpp"
#include "panocarbon/error.hpp"

namespace pc = panocarbon;

namespace pcpy {

namespace {
// The exception classes, created once at import: panocarbon.Error and one subclass per category.
PyObject* g_base = nullptr;
PyObject* g_classes[7] = {};

struct CategoryClass {
  pc::ErrorCategory category;
  const char* name;   // the Python class name
  PyObject* builtin;  // a builtin base besides panocarbon.Error (nullptr: none)
  const char* doc;
};
const CategoryClass kCategories[] = {
    {pc::ErrorCategory::InvalidInput, "InvalidInputError", PyExc_ValueError,
     "The user's file or arguments are wrong (CLI exit code 2)."},
    {pc::ErrorCategory::NotFound, "NotFoundError", PyExc_LookupError,
     "A named thing (file, fuel, factor, process, region, stressor) does not exist (exit code 3)."},
    {pc::ErrorCategory::Unit, "UnitError", PyExc_ValueError, "An unknown unit or an impossible conversion (exit code 4)."},
    {pc::ErrorCategory::Data, "DataError", nullptr,
     "The project's or a dataset's data is inconsistent, or a model's output cannot be used (exit code 5)."},
    {pc::ErrorCategory::Io, "IoError", nullptr, "Reading or writing a file failed (exit code 6)."},
    {pc::ErrorCategory::Database, "DatabaseError", nullptr, "SQLite failed (exit code 7)."},
    {pc::ErrorCategory::Internal, "InternalError", nullptr, "A bug in panocarbon: please report it (exit code 70)."},
};

void raise(const pc::Error& e) {
  PyObject* cls = g_classes[static_cast<int>(e.category())];
  if (!cls) cls = g_base;
  py::object exc = py::reinterpret_steal<py::object>(PyObject_CallFunction(cls, "s", e.what()));
  if (!exc) return;  // the call set its own exception
  // The parts of the message, as attributes (the CLI prints what(), the same text as str(exc)).
  const auto& c = e.context();
  exc.attr("category") = pc::to_string(e.category());
  exc.attr("message") = e.message();
  exc.attr("file") = c.file.empty() ? py::object(py::none()) : py::object(py::str(c.file));
  exc.attr("line") = c.line > 0 ? py::object(py::int_(c.line)) : py::object(py::none());
  exc.attr("column") = c.column > 0 ? py::object(py::int_(c.column)) : py::object(py::none());
  exc.attr("field") = c.field.empty() ? py::object(py::none()) : py::object(py::str(c.field));
  exc.attr("exit_code") = e.exit_code();
  PyErr_SetObject(cls, exc.ptr());
}
}  // namespace

void bind_errors(py::module_& m) {
  g_base = PyErr_NewExceptionWithDoc("panocarbon.Error",
                                     "Every error of panocarbon: str(e) is the CLI's message; e.category, e.message, "
                                     "e.file, e.line, e.column, e.field and e.exit_code are its parts.",
                                     PyExc_Exception, nullptr);
  m.add_object("Error", py::handle(g_base));
  for (const auto& k : kCategories) {
    PyObject* bases = k.builtin ? PyTuple_Pack(2, g_base, k.builtin) : PyTuple_Pack(1, g_base);
    const std::string qualified = std::string("panocarbon.") + k.name;
    PyObject* cls = PyErr_NewExceptionWithDoc(qualified.c_str(), k.doc, bases, nullptr);
    Py_DECREF(bases);
    if (!cls) throw py::error_already_set();
    g_classes[static_cast<int>(k.category)] = cls;
    m.add_object(k.name, py::handle(cls));
  }
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const pc::Error& e) {
      raise(e);
    }
  });
}

void InterruptWatch::poll() const {
  if (raised_.load() || std::this_thread::get_id() != owner_) return;
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now().time_since_epoch()).count();
  if (now - last_ms_.load() < 50) return;
  last_ms_ = now;
  py::gil_scoped_acquire gil;
  if (PyErr_CheckSignals() != 0) {
    PyErr_Fetch(&type_, &value_, &trace_);
    raised_ = true;
  }
}

InterruptWatch::~InterruptWatch() {
  if (type_ || value_ || trace_) {
    py::gil_scoped_acquire gil;
    Py_XDECREF(type_);
    Py_XDECREF(value_);
    Py_XDECREF(trace_);
  }
}

void InterruptWatch::reraise() {
  PyErr_Restore(type_, value_, trace_);
  type_ = value_ = trace_ = nullptr;
  throw py::error_already_set();
}

void invalid(const std::string& message, const std::string& field) {
  throw pc::Error(pc::ErrorCategory::InvalidInput, message, pc::ErrorContext{{}, 0, 0, field});
}

py::object to_python(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null: return py::none();
    case nlohmann::json::value_t::boolean: return py::bool_(j.get<bool>());
    case nlohmann::json::value_t::number_integer: return py::int_(j.get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: return py::int_(j.get<uint64_t>());
    case nlohmann::json::value_t::number_float: return py::float_(j.get<double>());
    case nlohmann::json::value_t::string: return py::str(j.get_ref<const std::string&>());
    case nlohmann::json::value_t::array: {
      py::list l;
      for (const auto& v : j) l.append(to_python(v));
      return l;
    }
    case nlohmann::json::value_t::object: {
      py::dict d;
      for (auto it = j.begin(); it != j.end(); ++it) d[py::str(it.key())] = to_python(it.value());
      return d;
    }
    default: return py::none();
  }
}

nlohmann::json to_json(const py::handle& o, const std::string& where) {
  if (o.is_none()) return nullptr;
  if (py::isinstance<py::bool_>(o)) return o.cast<bool>();
  if (py::isinstance<py::int_>(o)) return o.cast<long long>();
  if (py::isinstance<py::float_>(o)) return o.cast<double>();
  if (py::isinstance<py::str>(o)) return o.cast<std::string>();
  if (py::hasattr(o, "__fspath__")) return py::module_::import("os").attr("fspath")(o).cast<std::string>();
  if (py::isinstance<py::dict>(o)) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, v] : o.cast<py::dict>()) j[py::str(k).cast<std::string>()] = to_json(v, where);
    return j;
  }
  if (py::isinstance<py::list>(o) || py::isinstance<py::tuple>(o)) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& v : o) j.push_back(to_json(v, where));
    return j;
  }
  // numpy scalars and arrays: their Python values
  if (py::hasattr(o, "tolist")) return to_json(o.attr("tolist")(), where);
  invalid("option " + where + " takes text, a number, true/false or a list of them, not a " +
              py::str(py::type::of(o).attr("__name__")).cast<std::string>(),
          where);
}

py::array_t<double> array2(const double* row_major, size_t rows, size_t cols) {
  py::array_t<double> a({static_cast<py::ssize_t>(rows), static_cast<py::ssize_t>(cols)});
  if (rows != 0 && cols != 0) std::memcpy(a.mutable_data(), row_major, rows * cols * sizeof(double));
  return a;
}
py::array_t<double> array2(const pc::DenseMatrix& m) { return array2(m.data.data(), m.rows, m.cols); }

}  // namespace pcpy

PYBIND11_MODULE(_panocarbon, m) {
  m.doc() = "The compiled part of panocarbon's Python module: the registry of capabilities, MRIO systems and "
            "accounts, Sobol indices of Python functions. Use the package `panocarbon`, which wraps it.";
  m.attr("__version__") = PANOCARBON_VERSION;
  pcpy::bind_errors(m);
  pcpy::bind_registry(m);
  pcpy::bind_mrio(m);
  pcpy::bind_sensitivity(m);
}

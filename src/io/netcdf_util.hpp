// Small helpers over libnetcdf's C API shared by the NetCDF readers (country masks, the GFED NetCDF layout):
// type names for messages, a closing handle, a variable's shape without a leading time axis of length 1, and
// the coordinate variable of a dimension. Internal to src/io.
#pragma once
#include <netcdf.h>

#include <string>
#include <vector>

namespace panocarbon::io {

inline bool nc_integer(nc_type t) {
  return t == NC_BYTE || t == NC_UBYTE || t == NC_SHORT || t == NC_USHORT || t == NC_INT || t == NC_UINT ||
         t == NC_INT64 || t == NC_UINT64;
}
inline const char* nc_type_name(nc_type t) {
  switch (t) {
    case NC_FLOAT:
      return "float";
    case NC_DOUBLE:
      return "double";
    case NC_CHAR:
      return "char";
    case NC_STRING:
      return "string";
    default:
      return nc_integer(t) ? "integer" : "a user-defined type";
  }
}
struct Nc {
  int id = -1;
  ~Nc() {
    if (id >= 0) nc_close(id);
  }
};
// Shape of a variable without a leading axis of length 1 (time).
inline std::vector<size_t> nc_shape(int nc, int var, std::vector<int>* dimids_out = nullptr) {
  int nd = 0;
  nc_inq_varndims(nc, var, &nd);
  std::vector<int> dimids(static_cast<size_t>(nd));
  if (nd) nc_inq_vardimid(nc, var, dimids.data());
  std::vector<size_t> shape;
  std::vector<int> kept;
  for (int i = 0; i < nd; ++i) {
    size_t len = 0;
    nc_inq_dimlen(nc, dimids[static_cast<size_t>(i)], &len);
    if (i == 0 && nd == 3 && len == 1) continue;
    shape.push_back(len);
    kept.push_back(dimids[static_cast<size_t>(i)]);
  }
  if (dimids_out) *dimids_out = kept;
  return shape;
}
// The coordinate variable of a dimension (a 1-D variable of the same name), or empty.
inline std::vector<double> nc_coordinate(int nc, int dimid, std::string& name) {
  char buf[NC_MAX_NAME + 1] = {};
  nc_inq_dimname(nc, dimid, buf);
  name = buf;
  int var = -1;
  if (nc_inq_varid(nc, buf, &var) != NC_NOERR) return {};
  int nd = 0;
  nc_inq_varndims(nc, var, &nd);
  if (nd != 1) return {};
  // A coordinate variable lies along its own dimension; a 1-D variable of the same name along another one
  // (longer or shorter) is not one, and reading it into len values would overrun them.
  int own = -1;
  if (nc_inq_vardimid(nc, var, &own) != NC_NOERR || own != dimid) return {};
  size_t len = 0;
  nc_inq_dimlen(nc, dimid, &len);
  std::vector<double> v(len);
  if (nc_get_var_double(nc, var, v.data()) != NC_NOERR) return {};
  return v;
}

}  // namespace panocarbon::io

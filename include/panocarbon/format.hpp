// Small output helpers shared by the library's writers and the front ends.
#pragma once
#include <string>
#include <string_view>

namespace panocarbon {
// RFC 4180 CSV field: quoted (with doubled inner quotes) only when it contains , " CR or LF.
std::string csv_field(std::string_view s);
}  // namespace panocarbon

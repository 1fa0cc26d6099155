// The project's data tables compiled into the library (see cmake/embed.cmake).
#pragma once
#include <string_view>

namespace panocarbon::detail {
// Contents of data/<name> (or examples/<name>). Throws Error{Internal} if the name is not embedded.
std::string_view embedded_file(std::string_view name);
}  // namespace panocarbon::detail

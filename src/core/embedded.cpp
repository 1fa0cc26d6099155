#include "core/embedded.hpp"

#include <utility>

#include "panocarbon/error.hpp"

namespace panocarbon::detail {
extern const std::pair<std::string_view, std::string_view> kEmbeddedFiles[];
extern const int kEmbeddedFileCount;

std::string_view embedded_file(std::string_view name) {
  for (int i = 0; i < kEmbeddedFileCount; ++i)
    if (kEmbeddedFiles[i].first == name) return kEmbeddedFiles[i].second;
  throw Error(ErrorCategory::Internal, "embedded data file '" + std::string(name) + "' is missing from the build");
}
}  // namespace panocarbon::detail

// Provenance helpers: content hashes of inputs (FIPS 180-4 SHA-256, computed by OpenSSL's libcrypto) and the description of an input file
// that the run log records.
#pragma once
#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace panocarbon {

std::string sha256_hex(std::string_view bytes);
// {"path": ..., "sha256": ..., "bytes": ...}
nlohmann::json describe_input(const std::filesystem::path& path, std::string_view contents);
// Reads a whole file; throws Error{Io} naming the path.
std::string read_file(const std::filesystem::path& path);
const char* version() noexcept;

}  // namespace panocarbon

#include "panocarbon/provenance.hpp"

#include <openssl/sha.h>

#include <algorithm>

#include <fstream>

#include "panocarbon/error.hpp"

namespace panocarbon {

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(2 * SHA256_DIGEST_LENGTH);
  for (unsigned char c : digest) {
    out.push_back(hex[c >> 4]);
    out.push_back(hex[c & 0xf]);
  }
  return out;
}

nlohmann::json describe_input(const std::filesystem::path& path, std::string_view contents) {
  return {{"path", path.string()}, {"sha256", sha256_hex(contents)}, {"bytes", contents.size()}};
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw Error(ErrorCategory::Io, "cannot open the file; check the path and permissions", ErrorContext{path.string()});
  const auto size = static_cast<std::streamsize>(in.tellg());
  std::string out(static_cast<size_t>(std::max<std::streamsize>(size, 0)), '\0');
  in.seekg(0);
  if (size > 0 && !in.read(out.data(), size))
    throw Error(ErrorCategory::Io, "reading the file failed part-way; check the disk and try again", ErrorContext{path.string()});
  return out;
}

const char* version() noexcept { return PANOCARBON_VERSION; }

}  // namespace panocarbon

#include "panocarbon/provenance.hpp"

#include <openssl/sha.h>

#include <algorithm>

#include <filesystem>
#include <fstream>
#include <iterator>

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
  std::error_code ec;
  const auto st = std::filesystem::status(path, ec);
  if (ec == std::errc::too_many_symbolic_link_levels)
    throw Error(ErrorCategory::InvalidInput,
                "the path is a symbolic link that loops (through links it points back at itself); give the file itself",
                ErrorContext{path.string()});
  if (std::filesystem::is_directory(st))
    throw Error(ErrorCategory::InvalidInput, "the path is a folder, not a file; give the path of a file in it",
                ErrorContext{path.string()});
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCategory::Io, "cannot open the file; check the path and permissions", ErrorContext{path.string()});
  if (!std::filesystem::is_regular_file(st)) {
    // A pipe or a device (/dev/stdin, <(command)): read it to its end.
    std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad())
      throw Error(ErrorCategory::Io, "reading the file failed part-way; check it and try again", ErrorContext{path.string()});
    return out;
  }
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::streamsize>(in.tellg());
  if (size < 0) throw Error(ErrorCategory::Io, "cannot tell the size of the file; check it", ErrorContext{path.string()});
  std::string out(static_cast<size_t>(size), '\0');
  in.seekg(0);
  if (size > 0 && !in.read(out.data(), size))
    throw Error(ErrorCategory::Io, "reading the file failed part-way; check the disk and try again", ErrorContext{path.string()});
  return out;
}

const char* version() noexcept { return PANOCARBON_VERSION; }

}  // namespace panocarbon

#include "core/countries.hpp"

#include <map>

#include "core/csv.hpp"
#include "core/embedded.hpp"

namespace panocarbon {

const std::vector<IsoCountry>& iso_countries() {
  static const std::vector<IsoCountry> all = [] {
    std::map<std::string, std::string> a2;  // alpha3 -> alpha2
    io::CsvReader codes(detail::embedded_file("iso3166_alpha2.csv"), "<embedded>/iso3166_alpha2.csv");
    codes.next();  // alpha2,alpha3
    while (codes.next())
      if (codes.fields().size() >= 2) a2[std::string(codes.fields()[1])] = std::string(codes.fields()[0]);
    std::vector<IsoCountry> out;
    io::CsvReader csv(detail::embedded_file("iso3166.csv"), "<embedded>/iso3166.csv");
    csv.next();  // numeric,alpha3,name
    while (csv.next()) {
      const auto& f = csv.fields();
      if (f.size() < 3) continue;
      const std::string alpha3(f[1]);
      const auto it = a2.find(alpha3);
      out.push_back({std::string(f[0]), it == a2.end() ? std::string() : it->second, alpha3, std::string(f[2])});
    }
    return out;
  }();
  return all;
}

}  // namespace panocarbon

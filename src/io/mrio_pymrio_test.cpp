// pymrio's file_parameters.json: the layout counts are bounded (the fuzzer, tests/fuzz/fuzz_mrio_pymrio.cpp,
// found that "nr_header": "1000000000000" sized a 24 TB allocation, and std::bad_alloc is no Error).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "panocarbon/error.hpp"
#include "panocarbon/mrio.hpp"

namespace {
namespace fs = std::filesystem;

// Miller & Blair's two regions of one sector (tests/golden/mrio_miller_blair.test) with Z's header count `nr_header`.
struct TwoRegions {
  fs::path dir = fs::temp_directory_path() / ("pc-pymrio-" + std::to_string(::getpid()));
  explicit TwoRegions(const std::string& nr_header) {
    fs::create_directories(dir);
    std::ofstream(dir / "file_parameters.json")
        << R"({"files": {"Z": {"name": "Z.txt", "nr_index_col": "2", "nr_header": )" << nr_header
        << R"(}, "Y": {"name": "Y.txt", "nr_index_col": "2", "nr_header": "2"}}, "systemtype": "IOSystem"})";
    std::ofstream(dir / "Z.txt") << "region\t\tr1\tr2\nsector\t\ts\ts\nregion\tsector\t\t\nr1\ts\t150\t500\nr2\ts\t200\t100\n";
    std::ofstream(dir / "Y.txt") << "region\t\tr1\tr2\ncategory\t\thh\thh\nregion\tsector\t\t\nr1\ts\t300\t50\nr2\ts\t200\t1500\n";
  }
  ~TwoRegions() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};
}  // namespace

TEST(PymrioParameters, LayoutCountsAreSmallWholeNumbers) {
  for (const std::string bad : {R"("1000000000000")", "1000000000000", "-1", R"("-1")", R"("0")", "33", R"("2.5")", "true"}) {
    const TwoRegions t(bad);
    try {
      panocarbon::read_mrio(t.dir.string());
      FAIL() << "no error for nr_header " << bad;
    } catch (const panocarbon::Error& e) {
      EXPECT_EQ(e.category(), panocarbon::ErrorCategory::InvalidInput) << bad;
      EXPECT_EQ(e.context().file, (t.dir / "file_parameters.json").string()) << bad;
      EXPECT_EQ(e.context().field, "files.Z.nr_header") << bad;
      EXPECT_NE(std::string(e.what()).find("must be a whole number from 1 to 32"), std::string::npos) << e.what();
    }
  }
  // The counts pymrio writes still read: Z = [150 500; 200 100], x = Z1 + Y1 = (1000, 2000).
  for (const std::string good : {R"("2")", "2"}) {
    const TwoRegions t(good);
    const panocarbon::MrioSystem s = panocarbon::read_mrio(t.dir.string());
    ASSERT_EQ(s.x.size(), 2u);
    EXPECT_DOUBLE_EQ(s.x[0], 1000);
    EXPECT_DOUBLE_EQ(s.x[1], 2000);
  }
}

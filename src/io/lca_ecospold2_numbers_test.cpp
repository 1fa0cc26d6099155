// EcoSpold2 numbers the fuzzer (tests/fuzz/fuzz_lca_ecospold2.cpp) found read wrongly: amount="inf" became an
// infinite exchange amount, and <outputGroup>1e300</outputGroup> was cast to int (undefined behaviour).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "panocarbon/error.hpp"
#include "panocarbon/lca.hpp"

namespace {
namespace fs = std::filesystem;

// One activity with one reference product; `amount` and `group` are written as given.
std::string spold(const std::string& amount, const std::string& group) {
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<ecoSpold xmlns="http://www.EcoInvent.org/EcoSpold02"><activityDataset><activityDescription>
<activity id="a1"><activityName xml:lang="en">good</activityName></activity></activityDescription><flowData>
<intermediateExchange id="x" intermediateExchangeId="f" amount=")" +
         amount + R"("><name>p</name><unitName>kg</unitName><outputGroup>)" + group +
         R"(</outputGroup></intermediateExchange></flowData></activityDataset></ecoSpold>
)";
}

struct Folder {
  fs::path dir = fs::temp_directory_path() / ("pc-es2-numbers-" + std::to_string(::getpid()));
  explicit Folder(const std::string& text) {
    fs::create_directories(dir);
    std::ofstream(dir / "a.spold", std::ios::binary) << text;
  }
  ~Folder() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

panocarbon::Error error_of(const std::string& text) {
  const Folder f(text);
  try {
    panocarbon::lca::read_ecospold2(f.dir.string());
  } catch (const panocarbon::Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error";
  return panocarbon::Error(panocarbon::ErrorCategory::Internal, "no error");
}
}  // namespace

TEST(EcoSpold2Numbers, NonFiniteAmountsAreNoNumbers) {
  for (const char* a : {"inf", "-INF", "nan", "infinity"}) {
    const panocarbon::Error e = error_of(spold(a, "0"));
    EXPECT_EQ(e.category(), panocarbon::ErrorCategory::InvalidInput) << a;
    EXPECT_EQ(e.context().field, "flowData/intermediateExchange/@amount") << a << ": " << e.what();
    EXPECT_EQ(e.context().line, 4) << a;
    EXPECT_NE(std::string(e.what()).find(std::string("amount=\"") + a + "\" is not a finite number"), std::string::npos)
        << e.what();
  }
  // A finite amount still reads.
  const Folder f(spold("2.5", "0"));
  const auto db = panocarbon::lca::read_ecospold2(f.dir.string());
  ASSERT_EQ(db.processes.size(), 1u);
  ASSERT_EQ(db.processes[0].exchanges.size(), 1u);
  EXPECT_EQ(db.processes[0].exchanges[0].amount, 2.5);
}

TEST(EcoSpold2Numbers, AGroupBeyondIntIsNoGroup) {
  for (const char* g : {"1e300", "-1e300", "3000000000"}) {
    const panocarbon::Error e = error_of(spold("1", g));
    EXPECT_EQ(e.category(), panocarbon::ErrorCategory::InvalidInput) << g;
    EXPECT_NE(std::string(e.what()).find("inputGroup or outputGroup"), std::string::npos) << e.what();
  }
}

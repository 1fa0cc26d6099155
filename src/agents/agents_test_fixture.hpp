// Test-only: a Context like the CLI's over a fresh database in a folder of its own per test (removed after it),
// for the agents' tests that run real capabilities (executor_test.cpp, process_agent_test.cpp).
#pragma once
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "panocarbon/provenance.hpp"
#include "panocarbon/registry.hpp"
#include "panocarbon/store.hpp"

namespace panocarbon::agents::testing {

struct StoreFixture {
  std::filesystem::path dir;
  std::unique_ptr<Store> store;
  Context ctx;
  explicit StoreFixture(const std::string& prefix) {
    namespace fs = std::filesystem;
    const auto* unit = ::testing::UnitTest::GetInstance();
    dir = fs::temp_directory_path() /
          (prefix + "-" + std::to_string(unit->random_seed()) + "-" + unit->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
    store = std::make_unique<Store>(Store::open(dir / "t.db"));
    ctx.open_store = [this]() -> Store& { return *store; };
    ctx.store_location = dir / "t.db";
    ctx.read_input = [](const std::string&, const std::string& v) { return read_file(v); };
    ctx.locate_input = [](const std::string&, const std::string& v) { return fs::path(v); };
    ctx.output_dir = [this] { return dir / "out"; };
  }
  StoreFixture(const StoreFixture&) = delete;
  StoreFixture& operator=(const StoreFixture&) = delete;
  ~StoreFixture() {
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

}  // namespace panocarbon::agents::testing

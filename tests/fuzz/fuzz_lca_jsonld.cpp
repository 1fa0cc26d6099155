// libFuzzer target: openLCA JSON-LD (src/io/lca_jsonld.cpp). Parts (split at lines "---"): a process file
// (processes/x.json, beside a fixed supplier process and CO2 flow), a flow file (flows/f.json), an LCIA method
// (lcia_methods/m.json) and an LCIA category (lcia_categories/c.json). The database is read from memory
// (read_jsonld_files) and its system calculated; the methods are read from a scratch folder
// (read_methods_jsonld). Seeds: tests/fuzz/corpus/lca_jsonld; dictionary: tests/fuzz/dict/jsonld.dict.
#include "fuzz_lca_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace panocarbon;
  const auto parts = fuzz::split_parts(std::string_view(reinterpret_cast<const char*>(data), size));
  static const std::string supplier = R"({"@type":"Process","@id":"s","name":"supplier","location":{"@id":"l","name":"GLO"},
    "exchanges":[{"input":false,"amount":1,"quantitativeReference":true,"flow":{"@id":"p","flowType":"PRODUCT_FLOW"}},
                 {"input":true,"amount":0.1,"flow":{"@id":"p2","flowType":"PRODUCT_FLOW"}},
                 {"input":false,"amount":2,"flow":{"@id":"co2","flowType":"ELEMENTARY_FLOW"}}]})";
  static const std::string co2 = R"({"@type":"Flow","@id":"co2","name":"Carbon dioxide, fossil","flowType":"ELEMENTARY_FLOW",
    "category":"Elementary flows/air/unspecified"})";
  std::map<std::string, std::string> files = {{"processes/s.json", supplier}, {"flows/co2.json", co2}};
  static const char* const names[] = {"processes/x.json", "flows/f.json", "lcia_methods/m.json",
                                      "lcia_categories/c.json"};
  for (size_t i = 0; i < parts.size() && i < 4; ++i) files[names[i]] = std::string(parts[i]);
  fuzz::guarded([&] {
    const lca::Database db = lca::read_jsonld_files(files, "fuzz");
    fuzz::check_database(db);
    fuzz::calculate_all(db);
  });
  if (parts.size() > 2) {  // the method reader takes a folder
    auto& scratch = fuzz::Scratch::get();
    scratch.fresh();
    for (const auto& [rel, text] : files) scratch.write(rel, text);
    fuzz::guarded([&] {
      for (const lca::Method& m : lca::read_methods_jsonld(scratch.dir().string())) fuzz::check_method(m);
    });
  }
  return 0;
}

// Shared by the capabilities: runs one logged calculation.
#pragma once
// (public: front ends that run several library steps in one logged run use it too)
#include <cstdint>

#include "panocarbon/error.hpp"
#include "panocarbon/store.hpp"

namespace panocarbon {

// Runs f; on an Error marks the run failed (with the message) and rethrows.
template <class F>
auto logged(Store& store, int64_t run, F&& f) {
  try {
    return f();
  } catch (const Error& e) {
    store.finish_run(run, "failed", {{"error", e.what()}});
    throw;
  }
}

}  // namespace panocarbon

// Test helper: a Distribution of any kind from its stats_arrays parameters (loc, scale, shape, minimum, maximum;
// unc::kNone where a parameter does not apply). Shared by the uncertainty engine's tests.
#pragma once
#include "panocarbon/uncertainty.hpp"

namespace panocarbon::unc::testing {

inline Distribution dist(DistKind k, double loc, double scale, double shape, double mn, double mx) {
  Distribution d;
  d.kind = k;
  d.loc = loc;
  d.scale = scale;
  d.shape = shape;
  d.minimum = mn;
  d.maximum = mx;
  return d;
}

}  // namespace panocarbon::unc::testing

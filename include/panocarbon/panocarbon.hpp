// Umbrella header of the panocarbon library.
#pragma once
#include "panocarbon/capabilities.hpp"
#include "panocarbon/categories.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/factors.hpp"
#include "panocarbon/format.hpp"
#include "panocarbon/gwp.hpp"
#include "panocarbon/inventory.hpp"
#include "panocarbon/options.hpp"
#include "panocarbon/provenance.hpp"
#include "panocarbon/store.hpp"
#include "panocarbon/units.hpp"

#!/usr/bin/env bash
# Installs every Debian package the build and the tests need. Idempotent: quiet and quick when all are there.
# (iso-codes and gettext's msgunfmt regenerate data/country_names_zh.csv: scripts/make-country-names.sh.)
set -euo pipefail
pkgs=(
  build-essential cmake ninja-build pkg-config git
  libsqlite3-dev libssl-dev nlohmann-json3-dev libcli11-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev clang libclang-rt-14-dev
  libopenblas-dev libsuitesparse-dev libzip-dev libpugixml-dev libxlsxwriter-dev coinor-libclp-dev coinor-libcbc-dev glpk-utils ccache
  librandom123-dev openmpi-bin libopenmpi-dev
  libhdf5-dev hdf5-tools zlib1g-dev python3-h5py
  libgdal-dev gdal-bin libnetcdf-dev python3-netcdf4
  python3 python3-yaml python3-jsonschema python3-numpy python3-pandas python3-scipy
  python3-dev pybind11-dev python3-pybind11 python3-pytest
  libcpp-httplib-dev libcurl4-openssl-dev wrk chromium fonts-wqy-microhei
  iso-codes gettext
  libsimdjson-dev libdeflate-dev
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Node.js and npm build the web application and run its browser tests. A machine that already has a node
# with npm (e.g. another Debian-compatible packaging of node) keeps it; otherwise Debian's packages.
if ! command -v npm >/dev/null 2>&1; then
  echo "install-deps: installing nodejs npm"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
# The web application's npm packages (web/package-lock.json) are installed by scripts/build-web.sh.
# The MCP test's client (tests/mcp/package-lock.json: the official TypeScript SDK) is installed by
# scripts/install-mcp-sdk.sh (npm ci when tests/mcp/node_modules is missing or older than its lock file).
"$(dirname "$0")/install-mcp-sdk.sh" || echo "install-deps: tests/mcp could not install its npm packages (offline, empty npm cache?); ctest mcp_sdk will be skipped" >&2

#!/usr/bin/env bash
# Installs the npm packages of the MCP end-to-end test (tests/mcp: the official TypeScript SDK client,
# @modelcontextprotocol/sdk, pinned in tests/mcp/package-lock.json): `npm ci` when tests/mcp/node_modules is
# missing or older than the lock file; nothing otherwise. Needs node and npm (scripts/install-deps.sh installs
# them when missing); the npm registry is only asked by `npm ci`, and npm's cache answers when it holds them.
set -euo pipefail
cd "$(dirname "$0")/../tests/mcp"
if ! command -v npm >/dev/null 2>&1; then
  echo "install-mcp-sdk: npm is missing: run scripts/install-deps.sh (it installs nodejs and npm)" >&2
  exit 1
fi
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  echo "install-mcp-sdk: npm ci in tests/mcp"
  npm ci --prefer-offline --no-audit --no-fund --loglevel=error
fi

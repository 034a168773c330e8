#!/usr/bin/env bash
# Installs the workspace and builds it. The native part (hv-native) builds from
# source; where Node's headers are installed locally, node-gyp uses them (no download).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "10.28.0" ]; then
  npm install -g pnpm@10.28.0 >/dev/null
fi
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then
  export npm_config_nodedir=/usr
fi
export TURBO_TELEMETRY_DISABLED=1
pnpm install --frozen-lockfile
pnpm build

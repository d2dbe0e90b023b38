#!/usr/bin/env bash
# Baseline: official SpacetimeDB TypeScript SDK (spacetimedb@2.10.1) decoding a
# TransactionUpdate frame with 10,000 rows.
#
#   bash benchmarks/ts/run-baseline.sh [frame.bin] [decode-bench options...]
#
# Without a frame argument the frame is (re)generated with make-frame.mjs into
# benchmarks/target/player-tx-10000.bin. Options after the frame (or instead of it,
# when they start with --) go to decode-bench.mjs, e.g. --warmup-ms 3000 --measure-ms 10000
# --mode sdk|rows --protocol v3|v2. Prints make-frame's JSON line (if generated) on
# stderr and decode-bench's single JSON result line on stdout.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

FRAME=""
if [[ $# -gt 0 && "$1" != --* ]]; then
  FRAME="$(realpath -- "$1")"
  shift
fi

cd "$HERE"
if [[ ! -d node_modules/spacetimedb || ! -d node_modules/esbuild ]]; then
  npm ci --no-audit --no-fund >&2
fi

if [[ -z "$FRAME" ]]; then
  FRAME="$(realpath -m -- "$HERE/../target/player-tx-10000.bin")"
  node make-frame.mjs "$FRAME" >&2
fi

node decode-bench.mjs --frame "$FRAME" "$@"

#!/usr/bin/env bash
# Decoding benchmark: this SDK's schema-driven decoder (JMH) against the official TypeScript SDK, on the very same
# bytes, in one run. Usage from the repository root:
#
#   bash benchmarks/run.sh            # full run (about 3 minutes on 2 cores)
#   QUICK=1 bash benchmarks/run.sh    # shorter measurement, for a smoke test
#
# Prints a table of rows/s and ratios and writes it to benchmarks/target/decode-report.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGET="$ROOT/benchmarks/target"
mkdir -p "$TARGET"

if [[ "${QUICK:-0}" == "1" ]]; then
  JMH_ARGS=(-wi 2 -w 1s -i 3 -r 1s -f 1); TS_ARGS=(--warmup-ms 1000 --measure-ms 3000)
else
  JMH_ARGS=(-wi 3 -w 2s -i 5 -r 2s -f 1); TS_ARGS=(--warmup-ms 3000 --measure-ms 10000)
fi

echo "== building" >&2
[[ -f benchmarks/target/benchmarks.jar ]] || mvn -B -q -pl benchmarks -am package -DskipTests >&2

echo "== the same bytes on both sides" >&2
java -cp benchmarks/target/benchmarks.jar dev.stdb.secure.benchmarks.PlayerFrame "$TARGET/player-tx-10000-java.bin" >&2
(cd benchmarks/ts && { [[ -d node_modules/spacetimedb ]] || npm ci --no-audit --no-fund >&2; } \
  && node make-frame.mjs "$TARGET/player-tx-10000-ts.bin" >&2)
cmp "$TARGET/player-tx-10000-java.bin" "$TARGET/player-tx-10000-ts.bin"
echo "frames identical: $(sha256sum < "$TARGET/player-tx-10000-java.bin" | cut -c1-16)…" >&2

echo "== TypeScript SDK (spacetimedb@2.10.1)" >&2
(cd benchmarks/ts && node decode-bench.mjs --frame "$TARGET/player-tx-10000-java.bin" --mode sdk "${TS_ARGS[@]}") > "$TARGET/ts-sdk.json"
(cd benchmarks/ts && node decode-bench.mjs --frame "$TARGET/player-tx-10000-java.bin" --mode rows "${TS_ARGS[@]}") > "$TARGET/ts-rows.json"
cat "$TARGET/ts-sdk.json" "$TARGET/ts-rows.json" >&2

echo "== Java (JMH)" >&2
export JAVA_VERSION="$(java -version 2>&1 | head -1 | sed -E 's/.*"([^"]+)".*/\1/')"
java -jar benchmarks/target/benchmarks.jar TransactionUpdateDecodeBenchmark "${JMH_ARGS[@]}" \
  -rf json -rff "$TARGET/jmh.json" >&2

node "$ROOT/benchmarks/report.mjs" "$TARGET" | tee "$TARGET/decode-report.md"

#!/usr/bin/env bash
# Client benchmarks against the protocol sandbox on loopback (plain mains, not JMH; see benchmarks/src/main/java/
# dev/stdb/secure/benchmarks/client):
#   ReducerRoundTrip  reducer round trip p50/p90/p99/max, this SDK against the official TypeScript SDK
#                     (benchmarks/ts/reducer-roundtrip.mjs) on the same in-process sandbox, in the same run
#   FanOut            updates/s one watcher connection applies to its cache (live, and draining a backlog)
#   IdleConnections   1,000 idle connections from one JVM to a sandbox in its own process: heap, threads, RSS
# Usage from the repository root:
#
#   bash benchmarks/run-client.sh            # full run (about 3 minutes on 2 cores)
#   QUICK=1 bash benchmarks/run-client.sh    # fewer calls and connections, no 60 s steady-state sample
#
# Prints a markdown table and appends it to benchmarks/target/client-report.md; the raw JSON lines are kept in
# benchmarks/target/client-*.json*.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGET="$ROOT/benchmarks/target"
JAR="$TARGET/benchmarks.jar"
SANDBOX_JAR="$ROOT/bundles/sandbox/target/dev.stdb.secure.sandbox-0.1.0-SNAPSHOT-standalone.jar"
mkdir -p "$TARGET"

if [[ "${QUICK:-0}" == "1" ]]; then
  RT_ARGS=(--iterations 2000 --warmup 2000); FAN_ARGS=(--updates 20000 --warmup 5000)
  IDLE_ARGS=(--count 200 --steady-ms 0)
else
  RT_ARGS=(--iterations 10000 --warmup 5000); FAN_ARGS=(--updates 50000 --warmup 20000)
  IDLE_ARGS=(--count 1000 --steady-ms 62000)
fi

echo "== building" >&2
if [[ ! -f "$SANDBOX_JAR" ]] || ! unzip -l "$JAR" 2>/dev/null | grep -q 'benchmarks/client/ReducerRoundTrip.class'; then
  mvn -B -q ${MVN_ARGS:-} -pl benchmarks -am package -DskipTests >&2
fi
(cd benchmarks/ts && { [[ -d node_modules/spacetimedb ]] || npm ci --no-audit --no-fund >&2; })

run() { java -cp "$JAR" "dev.stdb.secure.benchmarks.client.$@"; }

echo "== reducer round trip: TypeScript SDK, then this SDK, same in-process sandbox" >&2
run ReducerRoundTrip "${RT_ARGS[@]}" > "$TARGET/client-roundtrip.jsonl"
cat "$TARGET/client-roundtrip.jsonl" >&2

echo "== update fan-out" >&2
run FanOut "${FAN_ARGS[@]}" > "$TARGET/client-fanout.json"
cat "$TARGET/client-fanout.json" >&2

echo "== idle connections (sandbox in its own process)" >&2
run IdleConnections "${IDLE_ARGS[@]}" > "$TARGET/client-idle.json"
cat "$TARGET/client-idle.json" >&2

node "$ROOT/benchmarks/report-client.mjs" "$TARGET" | tee -a "$TARGET/client-report.md"

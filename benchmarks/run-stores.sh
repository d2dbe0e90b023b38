#!/usr/bin/env bash
# Connect latency with the token read from each credential store (benchmarks/.../store/StoredTokenConnect): memory,
# the encrypted file store, a SoftHSM2 token and gnome-keyring, against one in-process sandbox, interleaved rounds.
# SoftHSM2 gets its own conf and token under benchmarks/target/stores-bench; gnome-keyring runs in a private
# dbus-run-session with HOME/XDG there too, so no real keyring or token is touched.
# Needs: apt-get install softhsm2 gnome-keyring dbus libsecret-tools. Usage from the repository root:
#
#   bash benchmarks/run-stores.sh            # 30 rounds x 10 connects per store; ROUNDS=10 PER_ROUND=5 for a quick run
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGET="$ROOT/benchmarks/target"
JAR="$TARGET/benchmarks.jar"
if ! unzip -l "$JAR" 2>/dev/null | grep -q 'benchmarks/store/StoredTokenConnect.class'; then
  mvn -B -q ${MVN_ARGS:-} -pl benchmarks -am package -DskipTests >&2
fi
for tool in dbus-run-session gnome-keyring-daemon softhsm2-util; do
  command -v "$tool" >/dev/null || { echo "$tool missing: apt-get install softhsm2 gnome-keyring dbus dbus-user-session" >&2; exit 1; }
done
BENCH="$TARGET/stores-bench"
rm -rf "$BENCH"; mkdir -p "$BENCH/home" "$BENCH/data" "$BENCH/config" "$BENCH/run" "$BENCH/tokens"; chmod 700 "$BENCH/run"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$BENCH/tokens" > "$BENCH/softhsm2.conf"
export SOFTHSM2_CONF="$BENCH/softhsm2.conf" STDB_BENCH_PIN="bench-user-pin-1234"
softhsm2-util --init-token --free --label bench --so-pin bench-so-pin-5678 --pin "$STDB_BENCH_PIN" >/dev/null
export HOME="$BENCH/home" XDG_DATA_HOME="$BENCH/data" XDG_CONFIG_HOME="$BENCH/config" XDG_RUNTIME_DIR="$BENCH/run"
export JAR TARGET ROUNDS="${ROUNDS:-30}" PER_ROUND="${PER_ROUND:-10}"
dbus-run-session -- sh -c '
  eval "$(printf %s bench-keyring-password | gnome-keyring-daemon --unlock --components=secrets)"
  java -cp "$JAR" dev.stdb.secure.benchmarks.store.StoredTokenConnect "$ROUNDS" "$PER_ROUND" > "$TARGET/stored-token-connect.jsonl"
' 2> >(grep -v "Failed to set fd limit" >&2)
python3 - "$TARGET/stored-token-connect.jsonl" <<'PY'
import json, sys
print("| token read from | connects | p50 connect | p90 connect | added over memory (p50) |")
print("|---|---:|---:|---:|---:|")
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(f"| {r['store']} | {r['connects']} | {r['p50Ms']:.2f} ms | {r['p90Ms']:.2f} ms | {r['addedOverMemoryMs']:+.2f} ms |")
PY

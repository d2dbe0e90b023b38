#!/usr/bin/env bash
# Keyring store benchmark (benchmarks/src/main/java/dev/stdb/secure/benchmarks/store): read and write of one token
# through KeyringCredentialStore against a real gnome-keyring, in a private D-Bus session (dbus-run-session) with
# HOME/XDG directories under benchmarks/target/keyring-bench, so no real keyring is touched.
# Needs: apt-get install gnome-keyring dbus libsecret-tools. Usage from the repository root:
#
#   bash benchmarks/run-keyring.sh            # JMH -wi 2 -i 3 -f 1 unless JMH_ARGS says otherwise
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGET="$ROOT/benchmarks/target"
JAR="$TARGET/benchmarks.jar"
if ! unzip -l "$JAR" 2>/dev/null | grep -q 'benchmarks/store/KeyringStoreBenchmark.class'; then
  # no install: both modules in one reactor
  mvn -B -q ${MVN_ARGS:-} -pl bundles/store-keyring,benchmarks package -DskipTests >&2
fi
for tool in dbus-run-session gnome-keyring-daemon; do
  command -v "$tool" >/dev/null || { echo "$tool missing: apt-get install gnome-keyring dbus dbus-user-session" >&2; exit 1; }
done
BENCH="$TARGET/keyring-bench"
rm -rf "$BENCH"; mkdir -p "$BENCH/home" "$BENCH/data" "$BENCH/config" "$BENCH/run"; chmod 700 "$BENCH/run"
export HOME="$BENCH/home" XDG_DATA_HOME="$BENCH/data" XDG_CONFIG_HOME="$BENCH/config" XDG_RUNTIME_DIR="$BENCH/run"
export JAR TARGET JMH_ARGS="${JMH_ARGS:--wi 2 -i 3 -f 1}"
dbus-run-session -- sh -c '
  eval "$(printf %s bench-keyring-password | gnome-keyring-daemon --unlock --components=secrets)"
  java -jar "$JAR" KeyringStoreBenchmark $JMH_ARGS -rf json -rff "$TARGET/keyring-store.json" >&2
' 2> >(grep -v "Failed to set fd limit" >&2)
python3 - "$TARGET/keyring-store.json" <<'PY'
import json, sys
print("| operation | ops/s | error (99.9%) |")
print("|---|---|---|")
for r in json.load(open(sys.argv[1])):
    m = r["primaryMetric"]
    print(f"| {r['benchmark'].rsplit('.', 1)[1]} | {m['score']:.0f} | ±{m['scoreError']:.0f} |")
PY

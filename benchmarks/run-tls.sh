#!/usr/bin/env bash
# TLS handshake benchmark (benchmarks/src/main/java/dev/stdb/secure/benchmarks/tls): a full handshake against one
# local server with the JDK's default PKIX trust manager (baseline) and with a TLS profile doing PKIX + pins + OCSP
# answered from its cache, same run. JMH gives the absolute times; the overhead ratio comes from an interleaved A/B
# run (TlsHandshakeAB: rounds alternate which side goes first, so drift of the machine falls on both alike).
# Usage from the repository root (about 4 minutes on 2 cores):
#
#   bash benchmarks/run-tls.sh
#
# JMH options can be overridden, e.g. JMH_ARGS="-wi 2 -i 3" bash benchmarks/run-tls.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGET="$ROOT/benchmarks/target"
JAR="$TARGET/benchmarks.jar"
if ! unzip -l "$JAR" 2>/dev/null | grep -q 'benchmarks/tls/TlsHandshakeBenchmark.class'; then
  mvn -B -q ${MVN_ARGS:-} -pl benchmarks -am package -DskipTests >&2
fi
echo "== interleaved A/B: JDK default trust manager vs profile, same server, same JVM" >&2
java -cp "$JAR" dev.stdb.secure.benchmarks.tls.TlsHandshakeAB ${AB_ARGS:-} > "$TARGET/tls-handshake-ab.json"
echo "== JMH: absolute times" >&2
read -r -a EXTRA <<< "${JMH_ARGS:-}"
java -jar "$JAR" TlsHandshakeBenchmark "${EXTRA[@]}" -rf json -rff "$TARGET/tls-handshake.json" >&2
python3 - "$TARGET/tls-handshake.json" "$TARGET/tls-handshake-ab.json" <<'PY'
import json, sys
rows = {r["benchmark"].rsplit(".", 1)[1]: r["primaryMetric"] for r in json.load(open(sys.argv[1]))}
ab = json.load(open(sys.argv[2]))
print("| JMH variant | us/op | error (99.9%) |")
print("|---|---|---|")
for name, m in rows.items():
    print(f"| {name} | {m['score']:.1f} | ±{m['scoreError']:.1f} |")
r = ab["ratioMedian"]
print(f"\ninterleaved A/B ({ab['rounds']} rounds x {ab['batch']} handshakes each side): JDK default "
      f"{ab['jdkMedianUs']:.1f} us, profile {ab['profileMedianUs']:.1f} us per handshake")
print(f"profile / JDK default = {r:.3f} (median of rounds; IQR {ab['ratioP25']:.3f}-{ab['ratioP75']:.3f}); "
      f"overhead {100 * (r - 1):+.1f} %, target at most +5 %")
PY

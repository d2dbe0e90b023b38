#!/usr/bin/env bash
# TLS handshake benchmark (JMH, benchmarks/src/main/java/dev/stdb/secure/benchmarks/tls): a full handshake against
# one local server with the JDK's default PKIX trust manager (baseline) and with a TLS profile doing PKIX + pins +
# OCSP answered from its cache, same run. Prints the overhead ratio. Usage from the repository root:
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
read -r -a EXTRA <<< "${JMH_ARGS:-}"
java -jar "$JAR" TlsHandshakeBenchmark "${EXTRA[@]}" -rf json -rff "$TARGET/tls-handshake.json" >&2
python3 - "$TARGET/tls-handshake.json" <<'PY'
import json, sys
rows = {r["benchmark"].rsplit(".", 1)[1]: r["primaryMetric"] for r in json.load(open(sys.argv[1]))}
base = rows["jdkDefaultTrustManager"]["score"]
prof = rows["profilePkixPinsOcspCached"]["score"]
print("| variant | us/handshake | error (99.9%) |")
print("|---|---|---|")
for name, m in rows.items():
    print(f"| {name} | {m['score']:.1f} | ±{m['scoreError']:.1f} |")
print(f"\nprofile / JDK default = {prof / base:.3f} (overhead {100 * (prof / base - 1):+.1f} %, target at most +5 %)")
PY

#!/usr/bin/env bash
# A stateless Kafka Streams 4.x topology (jvm/streams-compat, at_least_once) against a broker:
# builds it with Maven (once per change) and runs the check.
#
#   scripts/compat-streams.sh BOOTSTRAP [RECORDS] [TIMEOUT_SECONDS]
#
# Prints `streams stateless ok` or `streams stateless FAIL <reason>`; exits non-zero on FAIL.
# Client logging goes to standard error at WARN (STREAMS_LOG=info or debug for more).
set -euo pipefail
dir=$(cd "$(dirname "$0")/../jvm/streams-compat" && pwd)
stamp=$dir/target/.built
if [ ! -f "$stamp" ] || [ -n "$(find "$dir/src" "$dir/pom.xml" -newer "$stamp")" ]; then
  mvn -q -B -f "$dir/pom.xml" package -DskipTests >&2
  touch "$stamp"
fi
exec java -Dorg.slf4j.simpleLogger.defaultLogLevel="${STREAMS_LOG:-warn}" \
  -Dorg.slf4j.simpleLogger.logFile=System.err \
  -cp "$dir/target/classes:$dir/target/lib/*" gwcheck.StatelessCheck "$@"

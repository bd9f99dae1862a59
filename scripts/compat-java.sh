#!/usr/bin/env bash
# The Java client against a broker (jvm/client-compat): builds the harness against each
# kafka-clients version with Maven (dependencies from Maven Central; Java 17 and mvn on PATH,
# which scripts/ecosystem.sh installs) and runs every scenario against BOOTSTRAP.
#
#   scripts/compat-java.sh BOOTSTRAP [scenario-substring ...]
#
# Output: exactly one line per (version, scenario)
#   java-<ver> <scenario> ok [(note)] | FAIL <reason> | skip <why>
# then a final line "java: N ok, M failed, K skipped". Exit status: 0 when nothing failed,
# 1 on any FAIL (a failed build or a harness crash/timeout counts as FAIL for every scenario of
# that version), 2 on a usage or environment error.
#
# Env:
#   WORK            build and log dir (default /tmp/kafka-gateway-java). Per version WORK/<ver>/
#                   holds classes/, cp.txt, build.log, result.txt (raw harness output), stderr.log
#   VERSIONS        kafka-clients versions (default "4.4.0 3.9.2 2.8.2")
#   SERIAL=1        run the versions one after another instead of in parallel
#   COMPAT_TIMEOUT  wall-clock limit in seconds for one version's run (default 600)
#   COMPAT_TIMING=1 append each scenario's duration to its line
set -uo pipefail

bootstrap=${1:-}
if [ -z "$bootstrap" ]; then
  echo "usage: compat-java.sh BOOTSTRAP [scenario-substring ...]" >&2
  exit 2
fi
shift
root=$(cd "$(dirname "$0")/.." && pwd)
pom=$root/jvm/client-compat/pom.xml
work=${WORK:-/tmp/kafka-gateway-java}
versions=${VERSIONS:-4.4.0 3.9.2 2.8.2}
limit=${COMPAT_TIMEOUT:-600}

for tool in java mvn timeout; do
  command -v "$tool" >/dev/null || { echo "compat-java.sh: $tool not found on PATH" >&2; exit 2; }
done
mkdir -p "$work" || exit 2
work=$(cd "$work" && pwd)

classpath() { echo "$work/$1/classes:$(cat "$work/$1/cp.txt")"; }

# --- build: one Maven invocation per version, quiet unless it fails
built=""
for v in $versions; do
  d=$work/$v
  mkdir -p "$d"
  rm -f "$d/cp.txt" "$d/result.txt" "$d/stderr.log" "$d/rc"
  if mvn -q -B -f "$pom" -Dkafka.version="$v" -Dbuild.root="$work" \
      compile dependency:build-classpath -Dmdep.outputFile="$d/cp.txt" >"$d/build.log" 2>&1 \
      && [ -s "$d/cp.txt" ]; then
    built="$built $v"
  else
    rm -f "$d/cp.txt"
    echo "compat-java.sh: build for kafka-clients $v failed, last lines of $d/build.log:" >&2
    tail -20 "$d/build.log" >&2
  fi
done

# --- the scenario list (the same for every version), from any version that built
scenarios=$work/scenarios.txt
: >"$scenarios"
for v in $built; do
  java -cp "$(classpath "$v")" kgw.Compat --list "$@" >"$scenarios" 2>/dev/null && break
done
if [ -z "$built" ]; then
  for v in $versions; do echo "java-$v build FAIL see $work/$v/build.log"; done
  n=$(echo $versions | wc -w)
  echo "java: 0 ok, $n failed, 0 skipped"
  exit 1
fi
if [ ! -s "$scenarios" ]; then
  echo "compat-java.sh: no scenario matches: $*" >&2
  exit 2
fi

# --- run: one JVM per version
run_one() {
  local v=$1; shift
  local d=$work/$v
  timeout "$limit" java -cp "$(classpath "$v")" kgw.Compat "$bootstrap" "java-$v" "$@" \
    >"$d/result.txt" 2>"$d/stderr.log"
  echo $? >"$d/rc"
}
if [ "${SERIAL:-}" = 1 ]; then
  for v in $built; do run_one "$v" "$@"; done
else
  for v in $built; do run_one "$v" "$@" & done
  wait
fi

# --- report: exactly one line per (version, scenario); a scenario the harness never reported
# (build failure, connect failure, crash, timeout) is a FAIL with the reason why
final=$work/final.txt
: >"$final"
for v in $versions; do
  d=$work/$v
  if [ ! -s "$d/cp.txt" ]; then
    why="build failed, see $d/build.log"
  else
    rc=$(cat "$d/rc" 2>/dev/null || echo "?")
    # lines the harness printed that are not scenario results, e.g. "java-<v> connect FAIL ..."
    why=$(awk 'NR==FNR { want[$1]; next } !($2 in want) { $1 = ""; sub(/^ /, ""); print }' \
      "$scenarios" "$d/result.txt" | head -1)
    [ "$rc" = 124 ] && why="harness timed out after ${limit}s${why:+; $why}"
    [ -z "$why" ] && why="harness exited $rc: $(tail -3 "$d/stderr.log" 2>/dev/null | tr -s '\n\t' '  ')"
  fi
  while read -r sc; do
    line=$(awk -v sc="$sc" '$2 == sc { print; exit }' "$d/result.txt" 2>/dev/null)
    echo "${line:-java-$v $sc FAIL not run: $why}"
  done <"$scenarios" >>"$final"
done

cat "$final"
ok=$(awk '$3 == "ok"' "$final" | wc -l)
fail=$(awk '$3 == "FAIL"' "$final" | wc -l)
skip=$(awk '$3 == "skip"' "$final" | wc -l)
echo "java: $ok ok, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] || exit 1

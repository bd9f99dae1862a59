#!/usr/bin/env bash
# The JVM and Go ecosystem against one gateway: the Java client at three versions
# (scripts/compat-java.sh), Kafka's own command-line tools with their output checked
# (scripts/compat-tools.sh), a Kafka Streams topology (scripts/compat-streams.sh), and the Go
# clients franz-go, Sarama and kafka-go (go/cmd/compat). Prints each part's results and counts;
# exits non-zero if anything failed.
#
# Installs what it needs: Java and Maven from Debian when missing (Maven Central provides the
# clients, tools and Streams), Go from Debian when missing (the Go module proxy provides the
# clients).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
port=${PORT:-19394}
work=${WORK:-/tmp/kafka-gateway-ecosystem}
mkdir -p "$work"

need() {
  command -v "$1" >/dev/null || (apt-get update -qq && apt-get install -y -qq --no-install-recommends "$2") >/dev/null
}
need java openjdk-17-jdk-headless
need mvn maven
need go golang-go

cargo build -q -p kafka-gateway --manifest-path "$root/Cargo.toml"
data=$(mktemp -d)
"$root/target/debug/kafka-gateway" serve --listen "127.0.0.1:$port" --data-dir "$data" \
  --default-partitions 3 --group-initial-rebalance-delay-ms 500 >"$work/gateway.log" 2>&1 &
gw=$!
trap 'kill $gw 2>/dev/null; wait $gw 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
kill -0 "$gw" 2>/dev/null || { cat "$work/gateway.log" >&2; exit 1; }
bootstrap=127.0.0.1:$port

status=0
summary=()
part() {
  local name=$1; shift
  echo "== $name"
  if "$@" | tee "$work/$name.txt"; then :; else status=1; fi
  summary+=("$(tail -1 "$work/$name.txt")")
}
part java env WORK="$work/java" bash "$root/scripts/compat-java.sh" "$bootstrap"
part tools bash "$root/scripts/compat-tools.sh" "$bootstrap"
part streams bash "$root/scripts/compat-streams.sh" "$bootstrap" 2>"$work/streams.log"
part go bash -c "cd '$root/go' && go run ./cmd/compat -bootstrap '$bootstrap' 2>'$work/go.log'"
echo "== ecosystem summary"
printf '  %s\n' "${summary[@]}"
exit $status

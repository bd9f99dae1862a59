#!/usr/bin/env bash
# Apache Kafka itself, single node on loopback (KRaft, combined broker and controller), from the
# kafka_2.13 and kafka-tools artifacts on Maven Central: the oracle for differential tests and
# the rival in benchmarks.
#
#   scripts/kafka.sh lib            print the directory holding every jar (fetched once by Maven)
#   scripts/kafka.sh start DIR PORT format DIR and start a broker on 127.0.0.1:PORT (controller
#                                   on PORT+1); waits until it answers, prints its pid
#   scripts/kafka.sh stop DIR       stop the broker started in DIR
#   scripts/kafka.sh tool CLASS …   run one of Kafka's command-line tools (e.g. TopicCommand)
#
# KAFKA_VERSION (default: the one jvm/kafka-dist/pom.xml names) picks another release.
# Broker settings a test needs can be appended with KAFKA_EXTRA_CONFIG (newline-separated).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
pom=$root/jvm/kafka-dist/pom.xml
version=${KAFKA_VERSION:-$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$pom")}
cache=${KAFKA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kafka-gateway/kafka-$version}

lib() {
  if [ ! -f "$cache/.complete" ]; then
    command -v java >/dev/null || (apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless) >/dev/null
    command -v mvn >/dev/null || (apt-get update -qq && apt-get install -y -qq maven) >/dev/null
    rm -rf "$cache" && mkdir -p "$cache"
    mvn -q -B -f "$pom" -Dkafka.version="$version" dependency:copy-dependencies \
      -DoutputDirectory="$cache/lib" >&2
    touch "$cache/.complete"
  fi
  echo "$cache/lib"
}

# log4j2 configuration: FILE LEVEL APPENDER, where APPENDER is the broker's server.log or the
# console's standard error (for the tools).
log4j() {
  local appender
  if [ "$3" = file ]; then
    appender='File:
      name: out
      fileName: "${sys:kafka.logs.dir}/server.log"'
  else
    appender='Console:
      name: out
      target: SYSTEM_ERR'
  fi
  cat >"$1" <<YAML
Configuration:
  Appenders:
    $appender
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: $2
      AppenderRef:
        - ref: out
YAML
}

case ${1:-} in
  lib) lib ;;
  start)
    dir=${2:?dir}; port=${3:?port}; cport=$((port + 1))
    l=$(lib)
    mkdir -p "$dir/logs"
    cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=0
controller.quorum.bootstrap.servers=127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
inter.broker.listener.name=PLAINTEXT
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
group.initial.rebalance.delay.ms=0
${KAFKA_EXTRA_CONFIG:-}
PROPS
    log4j "$dir/log4j2.yaml" INFO file
    java -cp "$l/*" kafka.tools.StorageTool format --standalone --ignore-formatted \
      -t "$(java -cp "$l/*" kafka.tools.StorageTool random-uuid)" -c "$dir/server.properties" \
      >"$dir/logs/format.log" 2>&1
    java -Xmx1G -Dlog4j2.configurationFile="$dir/log4j2.yaml" -Dkafka.logs.dir="$dir/logs" \
      -cp "$l/*" kafka.Kafka "$dir/server.properties" >"$dir/logs/stdout.log" 2>&1 &
    echo $! >"$dir/pid"
    for _ in $(seq 600); do
      if grep -q "Kafka Server started" "$dir/logs/server.log" 2>/dev/null; then
        cat "$dir/pid"
        exit 0
      fi
      kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
      sleep 0.1
    done
    echo "Kafka did not start; see $dir/logs" >&2
    tail -20 "$dir/logs/stdout.log" "$dir/logs/server.log" >&2 || true
    exit 1
    ;;
  stop)
    dir=${2:?dir}
    [ -f "$dir/pid" ] || exit 0
    pid=$(cat "$dir/pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    ;;
  tool)
    shift
    class=$1; shift
    case $class in org.*|kafka.*) ;; *) class=org.apache.kafka.tools.$class ;; esac
    l=$(lib)
    log4j "${TMPDIR:-/tmp}/kafka-tools-log4j2.yaml" WARN console
    exec java -Xmx256M -Dlog4j2.configurationFile="${TMPDIR:-/tmp}/kafka-tools-log4j2.yaml" \
      -cp "$l/*" "$class" "$@"
    ;;
  *) sed -n '2,14p' "$0" >&2; exit 2 ;;
esac

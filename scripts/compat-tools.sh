#!/usr/bin/env bash
# Runs Apache Kafka's own command-line tools against a broker and checks what they print.
#
#   scripts/compat-tools.sh BOOTSTRAP          e.g. scripts/compat-tools.sh 127.0.0.1:19401
#
# Environment:
#   NODE_ID    id of the (single) broker behind BOOTSTRAP [default 0, as the gateway and
#              scripts/kafka.sh]
#   ONLY       space-separated scenario groups to run (topics configs console groups offsets
#              logdirs acls perf) [default: all]
#   VERBOSE=1  print each tool's output
#
# One line per scenario: `tools <scenario> ok` or `tools <scenario> FAIL <reason>`, then a
# summary; the exit status is 1 when any scenario failed.
# The ACL scenario needs an authorizer on the broker (Kafka: authorizer.class.name=
# org.apache.kafka.metadata.authorizer.StandardAuthorizer; the gateway always has one).
set -u

BOOT=${1:?usage: compat-tools.sh BOOTSTRAP}
NODE=${NODE_ID:-0}
KAFKA_SH=$(cd "$(dirname "$0")" && pwd)/kafka.sh
ONLY=${ONLY:-topics configs console groups offsets logdirs acls perf}
RUN=$(date +%s)$$                 # makes every name unique, so the script can be re-run
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

passed=0
failed=0
failures=()

# Runs one tool class, standard error folded into standard output (Kafka's tools print their
# results on either), bounded in time so a server that never answers cannot hang the run.
kt() {
  local out rc
  out=$(timeout 120 bash "$KAFKA_SH" tool "$@" 2>&1)
  rc=$?
  if [ "${VERBOSE:-}" = 1 ]; then
    printf '  $ %s\n' "$*" >&2
    sed 's/^/  | /' <<<"$out" >&2
  fi
  OUT=$out
  return $rc
}

# The most telling line of a tool's output when a check fails: an exception or error line if
# there is one, else the first line that is not a deprecation notice.
gist() {
  local line
  line=$(grep -m1 -E '^Caused by: ' <<<"$OUT")
  [ -n "$line" ] || line=$(grep -m1 -E 'Exception|Error|error|rror:' <<<"$OUT")
  [ -n "$line" ] || line=$(grep -v -E 'deprecated|KIP-848|^$' <<<"$OUT" | head -1)
  printf '%s' "${line:0:300}"
}

ok() { echo "tools $1 ok"; passed=$((passed + 1)); }
fail() {
  echo "tools $1 FAIL $2"
  failed=$((failed + 1))
  failures+=("$1")
}

# has REGEX: the last tool output has a line matching the extended regular expression.
has() { grep -qE -- "$1" <<<"$OUT"; }
# has_line TEXT: the last tool output has exactly this line.
has_line() { grep -qxF -- "$1" <<<"$OUT"; }

# Each scenario function prints nothing and returns 0 on success, or prints a reason and
# returns 1; `check NAME FUNCTION` turns that into the report line.
check() {
  local name=$1 rc reason
  shift
  "$@" >"$WORK/reason"   # not in a subshell: scenarios pass names and times to later ones
  rc=$?
  reason=$(tr '\n' ' ' <"$WORK/reason")
  if [ $rc -eq 0 ]; then ok "$name"; else fail "$name" "${reason:-no reason given}"; fi
}

# need CONDITION-COMMAND... MESSAGE: if the condition fails, print MESSAGE and the tool's
# gist and make the scenario fail (used as `need has X "msg" || return 1`).
need() {
  local msg=${*: -1}
  local n=$(($# - 1))
  if "${@:1:$n}"; then return 0; fi
  echo "$msg [$(gist)]"
  return 1
}

# Column values of a consumer-group describe/reset row: prints fields 4-6 (current offset,
# log-end offset, lag) of the row for GROUP TOPIC PARTITION.
group_row() {
  awk -v g="$1" -v t="$2" -v p="$3" '$1 == g && $2 == t && $3 == p { print $4, $5, $6 }' <<<"$OUT"
}

produce_lines() { # TOPIC [extra ConsoleProducer args...] < lines
  local topic=$1
  shift
  kt ConsoleProducer --bootstrap-server "$BOOT" --topic "$topic" "$@"
}

create_topic() { # TOPIC PARTITIONS [args...]
  local t=$1 p=$2
  shift 2
  kt TopicCommand --bootstrap-server "$BOOT" --create --topic "$t" --partitions "$p" "$@" &&
    has_line "Created topic $t."
}

want() { case " $ONLY " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# ---------------------------------------------------------------------------------------------
# kafka-topics

T_TOP=tools-top-$RUN

topics_create() {
  kt TopicCommand --bootstrap-server "$BOOT" --create --topic "$T_TOP" --partitions 3 \
    --config retention.ms=86400000 --config max.message.bytes=200000
  need has_line "Created topic $T_TOP." "no 'Created topic $T_TOP.'" || return 1
}

topics_list() {
  kt TopicCommand --bootstrap-server "$BOOT" --list
  need has_line "$T_TOP" "$T_TOP not in --list" || return 1
}

# describe_ok PARTITIONS: the last --describe output shows that many partitions, each led by
# NODE with replicas and ISR just NODE, and the two configs the topic was created with.
describe_ok() {
  local n=$1 p
  need has "^Topic: $T_TOP	TopicId: [A-Za-z0-9_-]{22}	PartitionCount: $n	ReplicationFactor: 1	Configs: " \
    "summary line lacks PartitionCount: $n / ReplicationFactor: 1" || return 1
  local configs
  configs=$(grep -m1 -o 'Configs: .*' <<<"$OUT")
  for c in retention.ms=86400000 max.message.bytes=200000; do
    grep -qE "[ ,]$c(,|$)" <<<"$configs" || { echo "Configs does not show $c: $configs"; return 1; }
  done
  for ((p = 0; p < n; p++)); do
    need has "^	Topic: $T_TOP	Partition: $p	Leader: $NODE	Replicas: $NODE	Isr: $NODE(	|$)" \
      "partition $p not 'Leader: $NODE Replicas: $NODE Isr: $NODE'" || return 1
  done
  local rows
  rows=$(grep -c "^	Topic: $T_TOP	Partition: " <<<"$OUT")
  [ "$rows" -eq "$n" ] || { echo "$rows partition rows, expected $n"; return 1; }
}

topics_describe() {
  kt TopicCommand --bootstrap-server "$BOOT" --describe --topic "$T_TOP"
  describe_ok 3
}

topics_alter() {
  kt TopicCommand --bootstrap-server "$BOOT" --alter --topic "$T_TOP" --partitions 5
  need test $? -eq 0 "--alter --partitions 5 exited non-zero" || return 1
  kt TopicCommand --bootstrap-server "$BOOT" --describe --topic "$T_TOP"
  describe_ok 5
}

topics_delete() {
  kt TopicCommand --bootstrap-server "$BOOT" --delete --topic "$T_TOP"
  need test $? -eq 0 "--delete exited non-zero" || return 1
  local i
  for i in 1 2 3; do
    kt TopicCommand --bootstrap-server "$BOOT" --list
    has_line "$T_TOP" || return 0
    sleep 1
  done
  echo "$T_TOP still listed after --delete"
  return 1
}

if want topics; then
  check topics-create topics_create
  check topics-list topics_list
  check topics-describe topics_describe
  check topics-alter-partitions topics_alter
  check topics-delete topics_delete
fi

# ---------------------------------------------------------------------------------------------
# kafka-configs

T_CFG=tools-cfg-$RUN

cfg() { kt ConfigCommand --bootstrap-server "$BOOT" "$@"; }

configs_topic_describe() {
  create_topic "$T_CFG" 1 --config retention.ms=86400000 --config max.message.bytes=200000 ||
    { echo "could not create $T_CFG [$(gist)]"; return 1; }
  cfg --entity-type topics --entity-name "$T_CFG" --describe
  need has_line "Dynamic configs for topic $T_CFG are:" "no 'Dynamic configs for topic' header" || return 1
  need has "^  retention.ms=86400000 sensitive=false synonyms=\{DYNAMIC_TOPIC_CONFIG:retention.ms=86400000" \
    "retention.ms=86400000 not shown as DYNAMIC_TOPIC_CONFIG" || return 1
  need has "^  max.message.bytes=200000 sensitive=false synonyms=\{DYNAMIC_TOPIC_CONFIG:max.message.bytes=200000, DEFAULT_CONFIG:message.max.bytes=1048588\}" \
    "max.message.bytes=200000 not shown with its broker synonym" || return 1
  cfg --entity-type topics --entity-name "$T_CFG" --describe --all
  need has_line "All configs for topic $T_CFG are:" "no 'All configs for topic' header" || return 1
  need has "^  segment.bytes=1073741824 sensitive=false synonyms=\{DEFAULT_CONFIG:log.segment.bytes=1073741824\}" \
    "--all does not show the default segment.bytes" || return 1
}

configs_topic_alter() {
  cfg --entity-type topics --entity-name "$T_CFG" --alter --add-config retention.ms=3600000,cleanup.policy=delete
  need has_line "Completed updating config for topic $T_CFG." "alter --add-config not completed" || return 1
  cfg --entity-type topics --entity-name "$T_CFG" --describe
  need has "^  retention.ms=3600000 sensitive=false synonyms=\{DYNAMIC_TOPIC_CONFIG:retention.ms=3600000" \
    "retention.ms not 3600000 after --add-config" || return 1
  need has "^  cleanup.policy=delete sensitive=false synonyms=\{DYNAMIC_TOPIC_CONFIG:cleanup.policy=delete" \
    "cleanup.policy=delete not shown after --add-config" || return 1
  need has "^  max.message.bytes=200000 " "--add-config dropped max.message.bytes" || return 1
}

configs_topic_delete() {
  cfg --entity-type topics --entity-name "$T_CFG" --alter --delete-config max.message.bytes
  need has_line "Completed updating config for topic $T_CFG." "alter --delete-config not completed" || return 1
  cfg --entity-type topics --entity-name "$T_CFG" --describe
  need has_line "Dynamic configs for topic $T_CFG are:" "no 'Dynamic configs for topic' header" || return 1
  ! has "^  max.message.bytes=" || { echo "max.message.bytes still set after --delete-config"; return 1; }
  need has "^  retention.ms=3600000 " "--delete-config dropped retention.ms" || return 1
}

configs_broker_describe() {
  cfg --entity-type brokers --entity-name "$NODE" --describe
  need has_line "Dynamic configs for broker $NODE are:" "no 'Dynamic configs for broker $NODE' header" || return 1
  cfg --entity-type brokers --entity-name "$NODE" --describe --all
  need has_line "All configs for broker $NODE are:" "no 'All configs for broker $NODE' header" || return 1
  need has "^  log.retention.hours=168 sensitive=false synonyms=\{DEFAULT_CONFIG:log.retention.hours=168\}" \
    "--all lacks log.retention.hours=168 (DEFAULT_CONFIG)" || return 1
  need has "^  message.max.bytes=1048588 sensitive=false synonyms=\{DEFAULT_CONFIG:message.max.bytes=1048588\}" \
    "--all lacks message.max.bytes=1048588 (DEFAULT_CONFIG)" || return 1
}

configs_broker_alter() {
  cfg --entity-type brokers --entity-name "$NODE" --alter --add-config log.retention.ms=7200000
  need has_line "Completed updating config for broker $NODE." "broker --add-config not completed" || return 1
  cfg --entity-type brokers --entity-name "$NODE" --describe
  need has "^  log.retention.ms=7200000 sensitive=false synonyms=\{DYNAMIC_BROKER_CONFIG:log.retention.ms=7200000" \
    "log.retention.ms=7200000 not shown as DYNAMIC_BROKER_CONFIG" || return 1
  cfg --entity-type brokers --entity-name "$NODE" --alter --delete-config log.retention.ms
  need has_line "Completed updating config for broker $NODE." "broker --delete-config not completed" || return 1
  cfg --entity-type brokers --entity-name "$NODE" --describe
  ! has "^  log.retention.ms=" || { echo "log.retention.ms still set after --delete-config"; return 1; }
}

configs_broker_default() {
  cfg --entity-type brokers --entity-default --alter --add-config log.retention.ms=3600000
  need has_line "Completed updating default config for brokers in the cluster." \
    "--entity-default --add-config not completed" || return 1
  cfg --entity-type brokers --entity-default --describe
  need has_line "Default configs for brokers in the cluster are:" "no 'Default configs for brokers' header" || return 1
  need has "^  log.retention.ms=3600000 sensitive=false synonyms=\{DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=3600000\}" \
    "log.retention.ms=3600000 not shown as DYNAMIC_DEFAULT_BROKER_CONFIG" || return 1
  cfg --entity-type brokers --entity-default --alter --delete-config log.retention.ms
  need has_line "Completed updating default config for brokers in the cluster." \
    "--entity-default --delete-config not completed" || return 1
}

U_SCRAM=alice$RUN

configs_users() {
  cfg --entity-type users --entity-name "$U_SCRAM" --alter --add-config 'SCRAM-SHA-512=[iterations=8192,password=x]'
  need has_line "Completed updating config for user $U_SCRAM." "SCRAM --add-config not completed" || return 1
  cfg --entity-type users --entity-name "$U_SCRAM" --describe
  need has_line "SCRAM credential configs for user-principal '$U_SCRAM' are SCRAM-SHA-512=iterations=8192" \
    "describe does not show SCRAM-SHA-512=iterations=8192" || return 1
  cfg --entity-type users --entity-name "$U_SCRAM" --alter --delete-config SCRAM-SHA-512
  need has_line "Completed updating config for user $U_SCRAM." "SCRAM --delete-config not completed" || return 1
  cfg --entity-type users --entity-name "$U_SCRAM" --describe
  ! has "SCRAM credential configs" || { echo "credential still described after --delete-config"; return 1; }
}

C_QUOTA=c$RUN

configs_quotas() {
  cfg --entity-type clients --entity-name "$C_QUOTA" --alter --add-config producer_byte_rate=1024
  need has_line "Completed updating config for client $C_QUOTA." "quota --add-config not completed" || return 1
  cfg --entity-type clients --entity-name "$C_QUOTA" --describe
  need has_line "Quota configs for client-id '$C_QUOTA' are producer_byte_rate=1024.0" \
    "describe does not show producer_byte_rate=1024.0" || return 1
  cfg --entity-type clients --entity-name "$C_QUOTA" --alter --delete-config producer_byte_rate
  need has_line "Completed updating config for client $C_QUOTA." "quota --delete-config not completed" || return 1
  cfg --entity-type clients --entity-name "$C_QUOTA" --describe
  ! has "Quota configs for client-id" || { echo "quota still described after --delete-config"; return 1; }
}

if want configs; then
  check configs-topic-describe configs_topic_describe
  check configs-topic-alter configs_topic_alter
  check configs-topic-delete-config configs_topic_delete
  check configs-broker-describe configs_broker_describe
  check configs-broker-alter configs_broker_alter
  check configs-broker-default configs_broker_default
  check configs-users-scram configs_users
  check configs-quotas-clients configs_quotas
fi

# ---------------------------------------------------------------------------------------------
# console producer and consumer

T_CON=tools-con-$RUN
G_CON=tools-con-g-$RUN

consume() { # GROUP MAX [extra args...]
  local g=$1 n=$2
  shift 2
  kt consumer.ConsoleConsumer --bootstrap-server "$BOOT" --topic "$T_CON" --group "$g" \
    --max-messages "$n" --timeout-ms 20000 --formatter-property print.key=true \
    --formatter-property print.headers=true --formatter-property key.separator== "$@"
}

console_produce() {
  create_topic "$T_CON" 1 || { echo "could not create $T_CON [$(gist)]"; return 1; }
  printf 'h1:a,h2:b|k1=v1\nh1:c|k2=v2\nh3:d|k3=v3\n' |
    produce_lines "$T_CON" --reader-property parse.key=true --reader-property key.separator== \
      --reader-property parse.headers=true --reader-property headers.delimiter='|'
  need test $? -eq 0 "console producer exited non-zero" || return 1
}

# Headers, key and value come back as produced, in order; the group commits what it read.
console_consume() {
  consume "$G_CON" 2 --from-beginning
  local got
  got=$(grep -E '^h[0-9]:' <<<"$OUT")
  [ "$got" = $'h1:a,h2:b=k1=v1\nh1:c=k2=v2' ] ||
    { echo "records read: '${got//$'\n'/ | }', expected 'h1:a,h2:b=k1=v1 | h1:c=k2=v2' [$(gist)]"; return 1; }
  need has_line "Processed a total of 2 messages" "no 'Processed a total of 2 messages'" || return 1
}

# A second consumer in the same group starts from the committed offset (2), not from 0.
console_group_resume() {
  consume "$G_CON" 1 --formatter-property print.offset=true
  local got
  got=$(grep -E '^Offset:' <<<"$OUT")
  [ "$got" = "Offset:2=h3:d=k3=v3" ] ||
    { echo "read '$got', expected 'Offset:2=h3:d=k3=v3' [$(gist)]"; return 1; }
  need has_line "Processed a total of 1 messages" "no 'Processed a total of 1 messages'" || return 1
}

if want console; then
  check console-produce-keys-headers console_produce
  check console-consume-from-beginning console_consume
  check console-group-resume console_group_resume
fi

# ---------------------------------------------------------------------------------------------
# kafka-consumer-groups

T_GRP=tools-grp-$RUN
G_GRP=tools-grp-g-$RUN
T_MID=""                       # a time between the first five records and the last five
T_MID_MS=""

cg() { kt consumer.group.ConsumerGroupCommand --bootstrap-server "$BOOT" "$@"; }

# describe_row EXPECTED: the group's row for partition 0 of T_GRP reads "CURRENT LOG-END LAG".
describe_row() {
  cg --describe --group "$G_GRP"
  local row
  row=$(group_row "$G_GRP" "$T_GRP" 0)
  [ "$row" = "$1" ] || { echo "describe: offset/log-end/lag '$row', expected '$1' [$(gist)]"; return 1; }
}

reset_to() { # EXPECTED-NEW-OFFSET reset-args...
  local want=$1 got
  shift
  cg --reset-offsets --group "$G_GRP" --topic "$T_GRP" "$@" --execute
  got=$(awk -v g="$G_GRP" -v t="$T_GRP" '$1 == g && $2 == t && $3 == 0 { print $4 }' <<<"$OUT")
  [ "$got" = "$want" ] || { echo "reset $*: NEW-OFFSET '$got', expected $want [$(gist)]"; return 1; }
}

groups_lag() {
  create_topic "$T_GRP" 1 || { echo "could not create $T_GRP [$(gist)]"; return 1; }
  seq 1 5 | produce_lines "$T_GRP" || { echo "produce failed [$(gist)]"; return 1; }
  sleep 1.5
  T_MID=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
  T_MID_MS=$(date -u -d "${T_MID%Z}" +%s%3N)
  sleep 1.5
  seq 6 10 | produce_lines "$T_GRP" || { echo "produce failed [$(gist)]"; return 1; }
  kt consumer.ConsoleConsumer --bootstrap-server "$BOOT" --topic "$T_GRP" --group "$G_GRP" \
    --from-beginning --max-messages 3 --timeout-ms 20000
  local got
  got=$(grep -xE '[0-9]+' <<<"$OUT" | tr '\n' ' ')
  [ "$got" = "1 2 3 " ] || { echo "consumed '$got', expected '1 2 3' [$(gist)]"; return 1; }
  describe_row "3 10 7"
}

groups_reset_earliest() { reset_to 0 --to-earliest && describe_row "0 10 10"; }
groups_reset_datetime() { reset_to 5 --to-datetime "$T_MID" && describe_row "5 10 5"; }
groups_reset_shift() { reset_to 3 --shift-by -2 && describe_row "3 10 7"; }

# Offsets for a second topic are committed with a reset, then deleted with --delete-offsets:
# the group keeps its offsets for T_GRP only.
groups_delete_offsets() {
  cg --reset-offsets --group "$G_GRP" --topic "$T_CON" --to-latest --execute
  local got
  got=$(awk -v g="$G_GRP" -v t="$T_CON" '$1 == g && $2 == t && $3 == 0 { print $4 }' <<<"$OUT")
  [ "$got" = 3 ] || { echo "reset of $T_CON to latest: '$got', expected 3 [$(gist)]"; return 1; }
  cg --delete-offsets --group "$G_GRP" --topic "$T_CON"
  need has_line "Request succeeded for deleting offsets from group $G_GRP." "no 'Request succeeded'" || return 1
  need has "^$T_CON +0 +Successful" "partition 0 of $T_CON not 'Successful'" || return 1
  describe_row "3 10 7" || return 1
  [ -z "$(group_row "$G_GRP" "$T_CON" 0)" ] || { echo "offsets for $T_CON still described"; return 1; }
}

groups_delete() {
  cg --delete --group "$G_GRP"
  need has_line "Deletion of requested consumer groups ('$G_GRP') was successful." \
    "no 'Deletion of requested consumer groups ... was successful'" || return 1
  cg --list
  ! has_line "$G_GRP" || { echo "$G_GRP still listed after --delete"; return 1; }
  need has_line "$G_CON" "--list lacks the other group $G_CON" || return 1
}

if want groups; then
  want console || { echo "tools: the groups scenarios use the console topic; run with console" >&2; }
  check groups-describe-lag groups_lag
  check groups-reset-to-earliest groups_reset_earliest
  check groups-reset-to-datetime groups_reset_datetime
  check groups-reset-shift-by groups_reset_shift
  check groups-delete-offsets groups_delete_offsets
  check groups-delete groups_delete
fi

# ---------------------------------------------------------------------------------------------
# kafka-get-offsets, kafka-delete-records (on the groups topic: 10 records, 5 + 5 around T_MID)

offsets() { kt GetOffsetShell --bootstrap-server "$BOOT" --topic "$T_GRP" "$@"; }

get_offsets() {
  offsets --time -1
  need has_line "$T_GRP:0:10" "--time -1 is not $T_GRP:0:10" || return 1
  offsets --time -2
  need has_line "$T_GRP:0:0" "--time -2 is not $T_GRP:0:0" || return 1
  offsets --time "$T_MID_MS"
  need has_line "$T_GRP:0:5" "--time $T_MID_MS (between the batches) is not $T_GRP:0:5" || return 1
}

delete_records() {
  printf '{"partitions":[{"topic":"%s","partition":0,"offset":4}],"version":1}\n' "$T_GRP" >"$WORK/delete.json"
  kt DeleteRecordsCommand --bootstrap-server "$BOOT" --offset-json-file "$WORK/delete.json"
  need has_line "Records delete operation completed:" "no 'Records delete operation completed:'" || return 1
  need has_line "partition: $T_GRP-0	low_watermark: 4" "no 'partition: $T_GRP-0 low_watermark: 4'" || return 1
  offsets --time -2
  need has_line "$T_GRP:0:4" "--time -2 after delete-records is not $T_GRP:0:4" || return 1
}

if want offsets; then
  if [ -z "$T_MID_MS" ]; then echo "tools: offsets needs the groups scenarios" >&2; fi
  check get-offsets get_offsets
  check delete-records delete_records
fi

# ---------------------------------------------------------------------------------------------
# kafka-log-dirs

log_dirs() {
  kt LogDirsCommand --bootstrap-server "$BOOT" --describe --topic-list "$T_GRP"
  need has_line "Received log directory information from brokers $NODE" \
    "no 'Received log directory information from brokers $NODE'" || return 1
  local json size
  json=$(grep -m1 '^{"brokers"' <<<"$OUT")
  [[ $json == *"{\"broker\":$NODE,\"logDirs\":[{"* ]] || { echo "JSON has no broker $NODE with logDirs [$(gist)]"; return 1; }
  [[ $json == *'"error":null'* ]] || { echo "log dir reports an error: $json"; return 1; }
  size=$(grep -oE "\"partition\":\"$T_GRP-0\",\"size\":[0-9]+" <<<"$json" | grep -oE '[0-9]+$')
  [ -n "$size" ] && [ "$size" -gt 0 ] || { echo "no non-empty $T_GRP-0 in: ${json:0:200}"; return 1; }
}

if want logdirs; then
  check log-dirs log_dirs
fi

# ---------------------------------------------------------------------------------------------
# kafka-acls

T_ACL=tools-acl-$RUN
P_ACL=User:bob$RUN

acl() { kt AclCommand --bootstrap-server "$BOOT" "$@"; }

acls() {
  local res="ResourcePattern(resourceType=TOPIC, name=$T_ACL, patternType=LITERAL)"
  local grp="ResourcePattern(resourceType=GROUP, name=app-$RUN, patternType=PREFIXED)"
  local read="	(principal=$P_ACL, host=*, operation=READ, permissionType=ALLOW)"
  local desc="	(principal=$P_ACL, host=*, operation=DESCRIBE, permissionType=ALLOW)"
  acl --add --allow-principal "$P_ACL" --operation Read --operation Describe --topic "$T_ACL"
  need has_line "Adding ACLs for resource \`$res\`: " "no 'Adding ACLs for resource' line" || return 1
  acl --add --allow-principal "$P_ACL" --operation Read --group "app-$RUN" --resource-pattern-type prefixed
  need has_line "Adding ACLs for resource \`$grp\`: " "no 'Adding ACLs' line for the prefixed group" || return 1
  acl --list --principal "$P_ACL"
  need has_line "Current ACLs for resource \`$res\`:" "--list lacks the topic resource" || return 1
  need has_line "Current ACLs for resource \`$grp\`:" "--list lacks the prefixed group resource" || return 1
  need has_line "$read" "--list lacks READ" || return 1
  need has_line "$desc" "--list lacks DESCRIBE" || return 1
  acl --remove --force --allow-principal "$P_ACL" --operation Read --topic "$T_ACL"
  need test $? -eq 0 "--remove exited non-zero" || return 1
  acl --list --topic "$T_ACL"
  need has_line "$desc" "DESCRIBE gone after removing READ" || return 1
  ! has_line "$read" || { echo "READ still listed after --remove"; return 1; }
  acl --remove --force --topic "$T_ACL" --group "app-$RUN" --resource-pattern-type any
  acl --list --principal "$P_ACL"
  ! has "principal=$P_ACL" || { echo "ACLs remain after removing all of them"; return 1; }
}

if want acls; then
  check acls acls
fi

# ---------------------------------------------------------------------------------------------
# kafka-producer-perf-test, kafka-consumer-perf-test

T_PERF=tools-perf-$RUN

producer_perf() {
  create_topic "$T_PERF" 3 || { echo "could not create $T_PERF [$(gist)]"; return 1; }
  kt ProducerPerformance --topic "$T_PERF" --num-records 20000 --record-size 100 --throughput -1 \
    --bootstrap-server "$BOOT" --command-property acks=all
  need has "^20000 records sent, [0-9.]+ records/sec \([0-9.]+ MB/sec\), " "no '20000 records sent, ...' line" || return 1
  kt GetOffsetShell --bootstrap-server "$BOOT" --topic "$T_PERF" --time -1
  local total
  total=$(awk -F: -v t="$T_PERF" '$1 == t { s += $3 } END { print s + 0 }' <<<"$OUT")
  [ "$total" = 20000 ] || { echo "end offsets sum to $total, expected 20000 [$(gist)]"; return 1; }
}

consumer_perf() {
  kt ConsumerPerformance --bootstrap-server "$BOOT" --topic "$T_PERF" --num-records 20000 --timeout 30000
  local n
  n=$(awk -F', *' '/^start.time,/ { for (i = 1; i <= NF; i++) if ($i == "data.consumed.in.nMsg") c = i; next }
                   c { print $c; exit }' <<<"$OUT")
  [ "$n" = 20000 ] || { echo "data.consumed.in.nMsg '$n', expected 20000 [$(gist)]"; return 1; }
}

if want perf; then
  check producer-perf-test producer_perf
  check consumer-perf-test consumer_perf
fi

# ---------------------------------------------------------------------------------------------

echo "tools: $passed ok, $failed failed${failures:+ (${failures[*]})}"
[ "$failed" -eq 0 ]

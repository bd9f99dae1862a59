#!/usr/bin/env bash
# `kafka-cli decode --pcap` against Wireshark's Kafka dissector: for every capture under
# fixtures/captures/pcap, each TCP direction must hold the same frames in the same order —
# requests with the same API key, version and correlation id, responses with the same API key
# and correlation id (tshark does not show a response's version). Installs tshark if missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v tshark >/dev/null; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tshark) >/dev/null
fi
cargo build -q -p kafka-cli --manifest-path "$root/Cargo.toml"
cli="$root/target/debug/kafka-cli"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
files=("$root"/fixtures/captures/pcap/*.pcapng)
for f in "${files[@]}"; do
  n=$(basename "$f" .pcapng)
  tshark -r "$f" -d tcp.port==9093,kafka -Y kafka -T fields -E separator=/t \
    -e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport \
    -e kafka.request_key -e kafka.response_key -e kafka.api_version -e kafka.correlation_id \
    >"$tmp/$n.tshark" 2>/dev/null
  "$cli" decode --pcap "$f" --port 9093 --json >"$tmp/$n.ours"
done
python3 - "$tmp" "${files[@]}" <<'PY'
import json, os, sys
from collections import defaultdict

tmp, files = sys.argv[1], sys.argv[2:]
failed, frames = 0, 0
for f in files:
    name = os.path.basename(f)[: -len(".pcapng")]
    theirs = defaultdict(list)
    for line in open(os.path.join(tmp, name + ".tshark")):
        src, sport, dst, dport, req, resp, ver, corr = (line.rstrip("\n").split("\t") + [""] * 8)[:8]
        flow = (f"{src}:{sport}", f"{dst}:{dport}")
        # Several PDUs in one packet come comma-separated, in order.
        corrs = corr.split(",")
        if req:
            for k, v, c in zip(req.split(","), ver.split(","), corrs):
                theirs[flow].append(("request", int(k), int(v), int(c)))
        else:
            # tshark names a response's API only when it matched the request; else None.
            keys = resp.split(",") if resp else [""] * len(corrs)
            for k, c in zip(keys, corrs):
                theirs[flow].append(("response", int(k) if k else None, None, int(c)))
    ours = defaultdict(list)
    for line in open(os.path.join(tmp, name + ".ours")):
        j = json.loads(line)
        if j.get("error"):
            print(f"{name}: our decoder failed on a frame: {j['error']}")
            failed += 1
            continue
        v = j["api_version"] if j["direction"] == "request" else None
        ours[(j["src"], j["dst"])].append((j["direction"], j["api_key"], v, j["correlation_id"]))
    n = sum(len(x) for x in ours.values())
    frames += n
    def same(a, b):
        return len(a) == len(b) and all(
            x[0] == y[0] and x[2:] == y[2:] and (y[1] is None or x[1] == y[1]) for x, y in zip(a, b))
    unnamed = sum(1 for x in theirs.values() for e in x if e[1] is None)
    if set(ours) != set(theirs) or not all(same(ours[k], theirs[k]) for k in ours):
        failed += 1
        for flow in sorted(set(ours) | set(theirs)):
            if not same(ours.get(flow, []), theirs.get(flow, [])):
                print(f"{name} {flow[0]} -> {flow[1]}:\n  ours:   {ours.get(flow)}\n  tshark: {theirs.get(flow)}")
    else:
        print(f"{name}: {n} frames agree" + (f" ({unnamed} responses tshark could not pair: correlation id only)" if unnamed else ""))
print(f"decode --pcap vs tshark: {len(files)} captures, {frames} frames, {failed} mismatching captures")
sys.exit(1 if failed or not frames else 0)
PY

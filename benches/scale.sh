#!/usr/bin/env bash
# Scale benchmark: how fast `agent-dedup scan` is on synthetic libraries, and how well it finds the
# copy groups that examples/synth.rs planted.
#
#   benches/scale.sh [--timeout SECS] [--seed S] [N ...]      (default sizes: 1000 10000 100000)
#
# For each N: generates target/synth/N with `synth --n N --seed S` unless target/synth/N/truth.tsv
# already exists, then runs
#   /usr/bin/time -v timeout SECS target/release/agent-dedup scan --quiet --format json target/synth/N
# into target/synth/N.json (time's report in target/synth/N.time, stderr in N.stderr) and prints one
# Markdown table row:
#   - wall seconds and peak RSS of the scan;
#   - copy-pair recall: of all pairs of files with the same base in truth.tsv, the share that ended
#     up in one cluster;
#   - pairwise precision: of all pairs of files clustered together, the share with the same base;
#   - the largest cluster.
# A scan that runs past the timeout (default 1800 s; also TIMEOUT=...) gets a row saying so.
set -euo pipefail

cd "$(dirname "$0")/.."

timeout_secs=${TIMEOUT:-1800}
seed=${SEED:-1}
sizes=()
while [ $# -gt 0 ]; do
    case "$1" in
        -t | --timeout) timeout_secs=$2; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        -h | --help) sed -n '2,17p' "$0"; exit 0 ;;
        *) sizes+=("$1"); shift ;;
    esac
done
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)

cargo build --release --quiet --bin agent-dedup --example synth
mkdir -p target/synth

echo "| N | files | parsed | gen (s) | scan wall (s) | peak RSS (MiB) | clusters | largest cluster | copy-pair recall | pairwise precision |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
    dir=target/synth/$n
    gen="-"
    if [ ! -f "$dir/truth.tsv" ]; then
        rm -rf "$dir"
        start=$(date +%s.%N)
        target/release/examples/synth --n "$n" --seed "$seed" --out "$dir" 2>/dev/null
        gen=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$start" "$(date +%s.%N)")
    fi
    status=0
    /usr/bin/time -v -o "target/synth/$n.time" \
        timeout "$timeout_secs" target/release/agent-dedup scan --quiet --format json "$dir" \
        > "target/synth/$n.json.partial" 2> "target/synth/$n.stderr" || status=$?
    # Keep the last complete report: a timed-out or failed run leaves only .partial behind.
    if [ "$status" -eq 0 ] || [ "$status" -eq 1 ]; then
        mv "target/synth/$n.json.partial" "target/synth/$n.json"
    fi
    python3 - "$n" "$dir" "$gen" "$status" "$timeout_secs" <<'PY'
import collections, json, os, re, sys

n, root, gen, status, limit = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]

def time_field(label):
    text = open(f"target/synth/{n}.time").read()
    m = re.search(re.escape(label) + r".*?:\s*(\S+)\s*$", text, re.M)
    return m.group(1) if m else None

wall = time_field("Elapsed (wall clock) time (h:mm:ss or m:ss)") or "0"
secs = 0.0
for part in wall.split(":"):
    secs = secs * 60 + float(part)
rss = int(time_field("Maximum resident set size (kbytes)") or 0) / 1024

truth = {}
for line in open(os.path.join(root, "truth.tsv"), encoding="utf-8"):
    if line.strip():
        f, b = line.rstrip("\n").split("\t")
        truth[f] = b
pairs2 = lambda k: k * (k - 1) // 2
true_pairs = sum(pairs2(k) for k in collections.Counter(truth.values()).values())

if status == 124:
    print(f"| {n} | {len(truth)} | - | {gen} | timeout > {limit} | {rss:.0f} | - | - | - | - |")
    sys.exit(0)
if status not in (0, 1):
    err = open(f"target/synth/{n}.stderr").read().strip().splitlines()
    print(f"| {n} | {len(truth)} | - | {gen} | failed (exit {status}) | {rss:.0f} | - | - | - | - |")
    print("\n".join(err[-5:]), file=sys.stderr)
    sys.exit(0)

report = json.load(open(f"target/synth/{n}.json", encoding="utf-8"))
seen = set()
same = clustered = largest = 0
unknown = 0
for cluster in report["clusters"]:
    members = [os.path.relpath(m, root).replace(os.sep, "/") for m in cluster["members"]]
    largest = max(largest, len(members))
    dup = seen.intersection(members)
    if dup:
        print(f"warning: {len(dup)} files are in more than one cluster", file=sys.stderr)
    seen.update(members)
    bases = collections.Counter()
    for i, m in enumerate(members):
        if m not in truth:
            unknown += 1
        bases[truth.get(m, f"?{m}")] += 1
    same += sum(pairs2(k) for k in bases.values())
    clustered += pairs2(len(members))
if unknown:
    print(f"warning: {unknown} clustered paths are not in truth.tsv", file=sys.stderr)
recall = same / true_pairs if true_pairs else float("nan")
precision = same / clustered if clustered else float("nan")
print(f"| {n} | {len(truth)} | {report.get('parsed', '?')} | {gen} | {secs:.2f} | {rss:.0f} | "
      f"{len(report['clusters'])} | {largest} | {recall:.3f} | {precision:.3f} |")
PY
done

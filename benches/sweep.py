#!/usr/bin/env python3
"""Scale sweep (issue 15): agent-dedup against datasketch on synthetic libraries of growing size.

    python3 benches/sweep.py                                  # the whole sweep (see BENCHMARKS.md)
    python3 benches/sweep.py --sizes 1000 10000 --corpus real # a part of it
    python3 benches/sweep.py --table                          # print the tables, run nothing

Two corpora, each at every size (default 1000 3000 10000 30000 100000):
  default  `synth --n N --seed 1`: copies spliced from the 39 short agents in corpus/;
  real     `synth --n N --seed 1 --corpus ../shared/bench/dev/files`: built from the 662 labelled
           real agents, so the bodies are as long and varied as real ones (about 7.7 KB a file).
Each library is generated once, into target/sweep/lib/CORPUS/N, and reused while its truth.tsv
exists and the generator's source and corpus are unchanged (target/sweep/lib/CORPUS/N.stamp).

For every library, one after the other: `agent-dedup scan --quiet --format json --timings` (the
release build, which the sweep builds first), then `benches/baseline_datasketch.py`, each under
`/usr/bin/time -v` (whole process) and `timeout`. Each run appends one row to the CSV
(default target/sweep/sweep-COMMIT.csv, COMMIT the checkout's short hash, `-dirty` when src/ or
the manifest has uncommitted changes; `--profile fast` measures the fast profile (release without LTO),
into sweep-COMMIT-fast.csv): wall, user and system seconds, peak RSS, copy-pair recall,
pairwise precision, clusters, largest cluster, the 1-minute load average before and after the run,
agent-dedup's phase times, and the versions. Both tools' clusters are scored by the same code below
against truth.tsv:
  copy-pair recall     of all pairs of files with the same base, the share in one cluster;
  pairwise precision   of all pairs of files in one cluster, the share with the same base.

Resumable: a run whose (corpus, N, tool) already has a row in the CSV (finished or timed out) is
skipped, so an interrupted sweep goes on where it stopped; --rerun runs them again (the new row
wins). At the end it prints one Markdown table per corpus, with datasketch's wall time over
agent-dedup's, a table of agent-dedup's phase times, and issue 15's targets as a checklist
(1 GB = 1000 MB). benches/plot_scale.py draws the CSV.
datasketch is installed with pip when it cannot be imported.
"""

import argparse
import collections
import csv
import datetime
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIZES = [1000, 3000, 10000, 30000, 100000]
CORPORA = {"default": "corpus", "real": "../shared/bench/dev/files",
           "copies": "../shared/bench/dev/files"}
# Run unless --corpus names them: `copies` is a stress case, not one of issue 15's two corpora.
DEFAULT_CORPORA = ["default", "real"]
TOOLS = ["agent-dedup", "datasketch"]
FIELDS = [
    "date_utc", "corpus", "n", "tool", "status", "files", "library_mb", "wall_s", "user_s",
    "sys_s", "peak_rss_mb", "clusters", "largest_cluster", "copy_pair_recall",
    "pairwise_precision", "load1_before", "load1_after", "phases", "version", "commit",
]


def main():
    args = parse_args()
    os.chdir(ROOT)
    global BIN, SYNTH
    BIN, SYNTH = f"target/{args.profile}/agent-dedup", f"target/{args.profile}/examples/synth"
    if args.table:
        csv_path = args.csv or newest_csv()
        print(f"# rows from {csv_path}")
        print_tables(read_rows(csv_path), args.corpus)
        return 0
    csv_path = args.csv or default_csv_path(args.profile)

    started = time.monotonic()
    print(f"# {machine()}", flush=True)
    build(args.profile)
    ensure_datasketch()
    versions = {"agent-dedup": agent_dedup_version(args.profile),
                "datasketch": datasketch_version()}
    for tool, v in versions.items():
        print(f"# {tool}: {v}", flush=True)
    print(f"# rows go to {csv_path}", flush=True)

    done = {(r["corpus"], int(r["n"]), r["tool"]) for r in read_rows(csv_path)
            if r["status"] == "ok" or r["status"].startswith("timeout")}
    for corpus in args.corpus:
        for n in args.sizes:
            pending = [t for t in args.tool if args.rerun or (corpus, n, t) not in done]
            if not pending:
                print(f"{corpus} {n}: already in the CSV, skipped (--rerun runs it again)")
                continue
            lib = ensure_library(corpus, n, args.seed)
            truth = read_truth(lib)
            size_mb = library_bytes(lib, truth) / 1e6
            for tool in pending:
                row = run(tool, corpus, n, lib, truth, size_mb, args.timeout)
                row["version"] = versions[tool]
                row["commit"] = commit_label()
                append_row(csv_path, row)
                print(summary(row), flush=True)

    print()
    print_tables(read_rows(csv_path), args.corpus)
    print(f"\nsweep took {time.monotonic() - started:.0f} s", flush=True)
    return 0


def parse_args():
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="See the module docstring (head -40 benches/sweep.py) for what is measured.",
    )
    ap.add_argument("--sizes", nargs="+", type=int, default=SIZES, metavar="N",
                    help=f"library sizes (default: {' '.join(map(str, SIZES))})")
    ap.add_argument("--corpus", nargs="+", choices=list(CORPORA), default=DEFAULT_CORPORA,
                    help="corpora to run (default: default real; `copies` is the library made "
                    "of copies, see ensure_copies)")
    ap.add_argument("--tool", nargs="+", choices=TOOLS, default=TOOLS,
                    help="tools to run (default: both)")
    ap.add_argument("--rerun", action="store_true",
                    help="run again what the CSV already holds")
    ap.add_argument("--table", action="store_true",
                    help="only print the tables of the CSV (default: the newest target/sweep/*.csv)")
    ap.add_argument("--csv", help="the CSV to append to and print "
                    "(default: target/sweep/sweep-COMMIT.csv)")
    ap.add_argument("--timeout", type=int, default=1800, help="seconds per run (default 1800)")
    ap.add_argument("--seed", type=int, default=1, help="synth seed (default 1)")
    ap.add_argument("--profile", default="release",
                    help="cargo profile of agent-dedup (default release; `fast` for a quick look "
                    "while developing: its rows go to their own CSV)")
    return ap.parse_args()


# --- setup -------------------------------------------------------------------------------------


def sh(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip()


def build(profile):
    cmd = ["cargo", "build", "--profile", profile, "--quiet", "--bin", "agent-dedup",
           "--example", "synth"]
    print(f"# {' '.join(cmd)}", flush=True)
    subprocess.run(cmd, check=True)


def ensure_datasketch():
    try:
        import datasketch  # noqa: F401
    except ImportError:
        print("# datasketch is missing: pip install datasketch", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "datasketch"],
                       check=True)


def datasketch_version():
    code = ("import sys, datasketch, numpy; print(f'datasketch {datasketch.__version__}, "
            "numpy {numpy.__version__}, Python {sys.version.split()[0]}')")
    return sh(sys.executable, "-c", code)


def agent_dedup_version(profile):
    return f"{sh(BIN, '--version')} ({profile} profile)"


def commit_label():
    head = sh("git", "rev-parse", "--short", "HEAD")
    dirty = sh("git", "status", "--porcelain", "--", "src", "Cargo.toml", "Cargo.lock")
    return head + ("-dirty" if dirty else "")


def default_csv_path(profile):
    suffix = "" if profile == "release" else f"-{profile}"
    return f"target/sweep/sweep-{commit_label()}{suffix}.csv"


def newest_csv():
    found = [os.path.join("target/sweep", f) for f in os.listdir("target/sweep")
             if f.endswith(".csv")] if os.path.isdir("target/sweep") else []
    if not found:
        sys.exit("no target/sweep/*.csv: run benches/sweep.py first")
    return max(found, key=os.path.getmtime)


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    rustc = sh("rustc", "--version")
    return (f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB, {platform.system()} "
            f"{platform.release()}; {rustc}")


# --- libraries ---------------------------------------------------------------------------------


def tree_digest(paths):
    """SHA-256 over the names and contents of the given files (sorted)."""
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.encode() + b"\0")
        with open(p, "rb") as f:
            h.update(f.read())
    return h.hexdigest()


def corpus_files(folder):
    """The files synth reads: *.md under the folder, recursively."""
    out = []
    for dirpath, _, names in os.walk(folder):
        out += [os.path.join(dirpath, n) for n in names if n.endswith(".md")]
    return out


def ensure_library(corpus, n, seed):
    """target/sweep/lib/CORPUS/N, generated unless it is there, complete and up to date."""
    folder = CORPORA[corpus]
    if not os.path.isdir(folder):
        sys.exit(f"corpus folder {folder} not found (the real-sized corpus needs ../shared/bench)")
    lib = f"target/sweep/lib/{corpus}/{n}"
    stamp_path = lib + ".stamp"
    stamp = json.dumps({
        "n": n, "seed": seed, "corpus": folder,
        "synth": tree_digest(["examples/synth.rs"]),
        "corpus_files": tree_digest(corpus_files(folder)),
    }, sort_keys=True)
    if os.path.isfile(os.path.join(lib, "truth.tsv")) and os.path.isfile(stamp_path):
        with open(stamp_path) as f:
            if f.read() == stamp:
                return lib
        print(f"{lib}: generator or corpus changed since it was written, regenerating")
    shutil.rmtree(lib, ignore_errors=True)
    os.makedirs(os.path.dirname(lib), exist_ok=True)
    t = time.monotonic()
    if corpus == "copies":
        ensure_copies(folder, n, lib)
        with open(stamp_path, "w") as f:
            f.write(stamp)
        print(f"{lib}: copied in {time.monotonic() - t:.1f} s", flush=True)
        return lib
    cmd = [SYNTH, "--n", str(n), "--seed", str(seed), "--out", lib]
    if corpus != "default":
        cmd += ["--corpus", folder]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(stamp_path, "w") as f:
        f.write(stamp)
    print(f"{lib}: generated in {time.monotonic() - t:.1f} s ({' '.join(cmd)})", flush=True)
    return lib


def ensure_copies(folder, n, lib):
    """A library made mostly of copies: the corpus's files copied whole, in order, into
    copy0/, copy1/, ... until there are N (100,000 = 151 copies of each of dev's 662 files).
    A file's base is its path in the corpus, so copy-pair recall asks whether the copies of one
    file end in one cluster. Every copy of one file is a legitimate cluster, whatever its size:
    the "no cluster over 100" target does not apply here."""
    sources = sorted(os.path.relpath(p, folder) for p in corpus_files(folder))
    os.makedirs(lib)
    with open(os.path.join(lib, "truth.tsv"), "w", encoding="utf-8") as truth:
        for i in range(n):
            source = sources[i % len(sources)]
            rel = f"copy{i // len(sources)}/{source}"
            os.makedirs(os.path.dirname(os.path.join(lib, rel)), exist_ok=True)
            shutil.copyfile(os.path.join(folder, source), os.path.join(lib, rel))
            truth.write(f"{rel}\t{source}\n")


def read_truth(lib):
    truth = {}
    with open(os.path.join(lib, "truth.tsv"), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                path, base = line.rstrip("\n").split("\t")
                truth[path] = base
    return truth


def library_bytes(lib, truth):
    return sum(os.stat(os.path.join(lib, p)).st_size for p in truth)


# --- one run -----------------------------------------------------------------------------------


def run(tool, corpus, n, lib, truth, size_mb, timeout):
    out_dir = "target/sweep/out"
    os.makedirs(out_dir, exist_ok=True)
    stem = f"{out_dir}/{corpus}-{n}-{tool}"
    clusters_json = stem + ".json"
    if tool == "agent-dedup":
        cmd = [BIN, "scan", "--quiet", "--format", "json", "--timings", lib]
        stdout_path = clusters_json
    else:
        cmd = [sys.executable, "benches/baseline_datasketch.py", lib, "--clusters", clusters_json]
        stdout_path = stem + ".out"
    for stale in (clusters_json, stdout_path):
        if os.path.exists(stale):
            os.remove(stale)

    row = {"date_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M"),
           "corpus": corpus, "n": n, "tool": tool, "files": len(truth),
           "library_mb": f"{size_mb:.0f}", "load1_before": f"{os.getloadavg()[0]:.2f}"}
    with open(stdout_path, "wb") as out, open(stem + ".stderr", "wb") as err:
        status = subprocess.run(
            ["/usr/bin/time", "-v", "-o", stem + ".time", "timeout", str(timeout), *cmd],
            stdout=out, stderr=err).returncode
    row["load1_after"] = f"{os.getloadavg()[0]:.2f}"
    row.update(time_report(stem + ".time"))
    with open(stem + ".stderr", encoding="utf-8", errors="replace") as f:
        stderr = f.read()
    if tool == "agent-dedup":
        row["phases"] = " ".join(f"{name}={secs}" for name, secs in phase_times(stderr))

    if status == 124:
        row["status"] = f"timeout {timeout} s"
        return row
    if status != 0:
        row["status"] = f"exit {status}"
        print("\n".join(stderr.strip().splitlines()[-5:]), file=sys.stderr)
        return row
    row["status"] = "ok"
    with open(clusters_json, encoding="utf-8") as f:
        clusters = [c["members"] for c in json.load(f)["clusters"]]
    os.remove(clusters_json)  # up to a few hundred MB at 100k; the scores below are what we keep
    row.update(score_clusters(clusters, truth, lib))
    return row


def time_report(path):
    """Wall, user and system seconds and peak RSS (MB) from GNU time's -v report."""
    with open(path) as f:
        text = f.read()

    def field(label):
        m = re.search(re.escape(label) + r".*?:\s*(\S+)\s*$", text, re.M)
        return m.group(1) if m else None

    wall = 0.0
    for part in (field("Elapsed (wall clock) time") or "0").split(":"):
        wall = wall * 60 + float(part)
    rss_kib = int(field("Maximum resident set size (kbytes)") or 0)
    return {"wall_s": f"{wall:.2f}", "user_s": field("User time (seconds)"),
            "sys_s": field("System time (seconds)"), "peak_rss_mb": f"{rss_kib * 1024 / 1e6:.0f}"}


def phase_times(stderr):
    """(phase, seconds) from the lines `--timings` prints, whatever the phases are called."""
    return re.findall(r"^\s*([^\s=\d][^\s=]*)\s+(\d+\.\d+) s\b", stderr, re.M)


def score_clusters(clusters, truth, lib):
    """Clusters, largest cluster, copy-pair recall and pairwise precision against truth.tsv."""
    pairs = lambda k: k * (k - 1) // 2
    true_pairs = sum(pairs(k) for k in collections.Counter(truth.values()).values())
    same = clustered = largest = 0
    seen, unknown = set(), 0
    for members in clusters:
        rel = [os.path.relpath(m, lib).replace(os.sep, "/") for m in members]
        largest = max(largest, len(rel))
        if seen.intersection(rel):
            print("warning: a file is in more than one cluster", file=sys.stderr)
        seen.update(rel)
        unknown += sum(1 for m in rel if m not in truth)
        bases = collections.Counter(truth.get(m, "?" + m) for m in rel)
        same += sum(pairs(k) for k in bases.values())
        clustered += pairs(len(rel))
    if unknown:
        print(f"warning: {unknown} clustered paths are not in truth.tsv", file=sys.stderr)
    return {
        "clusters": len(clusters), "largest_cluster": largest,
        "copy_pair_recall": f"{same / true_pairs:.4f}" if true_pairs else "",
        "pairwise_precision": f"{same / clustered:.4f}" if clustered else "",
    }


# --- the CSV and the tables --------------------------------------------------------------------


def read_rows(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def append_row(path, row):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    new = not os.path.exists(path)
    with open(path, "a", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS)
        if new:
            w.writeheader()
        w.writerow({k: row.get(k, "") for k in FIELDS})


def summary(row):
    return (f"{row['corpus']:>7} {row['n']:>6} {row['tool']:<11} {row['status']:<6} "
            f"wall {row['wall_s']} s  RSS {row['peak_rss_mb']} MB  "
            f"recall {row.get('copy_pair_recall', '-')}  precision "
            f"{row.get('pairwise_precision', '-')}  largest {row.get('largest_cluster', '-')}  "
            f"load {row['load1_before']}")


def latest(rows):
    """The last row of each (corpus, N, tool): a rerun replaces the earlier one."""
    out = {}
    for r in rows:
        out[(r["corpus"], int(r["n"]), r["tool"])] = r
    return out


def cell(row, key, fmt="{}"):
    if row is None:
        return "–"
    if row["status"] != "ok" and key not in ("wall_s", "peak_rss_mb"):
        return "–"
    value = row.get(key, "")
    if value == "":
        return "–"
    text = fmt.format(float(value)) if fmt != "{}" else value
    return text if row["status"] == "ok" else f"{row['status']} ({text})"


def cpu(row):
    """User plus system seconds: what the run cost, less sensitive to the machine's load."""
    if row is None or not row.get("user_s") or not row.get("sys_s"):
        return "–"
    return f"{float(row['user_s']) + float(row['sys_s']):.2f}"


def print_tables(rows, corpora):
    by_key = latest(rows)
    for corpus in corpora:
        sizes = sorted({n for (c, n, _) in by_key if c == corpus})
        if not sizes:
            continue
        print(f"\nCorpus `{corpus}` ({CORPORA[corpus]}):\n")
        print("| agents | library (MB) | agent-dedup wall (s) | CPU (s) | peak RSS (MB) "
              "| copy-pair recall | pairwise precision | largest cluster | datasketch wall (s) "
              "| CPU (s) | peak RSS (MB) | copy-pair recall | pairwise precision "
              "| largest cluster | datasketch / agent-dedup | load avg (1 min) |")
        print("|---:" * 16 + "|")
        for n in sizes:
            a, d = by_key.get((corpus, n, "agent-dedup")), by_key.get((corpus, n, "datasketch"))
            lib_mb = (a or d)["library_mb"]
            ratio = "–"
            if a and d and a["status"] == d["status"] == "ok" and float(a["wall_s"]) > 0:
                ratio = f"{float(d['wall_s']) / float(a['wall_s']):.1f}×"
            load = " / ".join(r["load1_before"] for r in (a, d) if r)
            cells = [f"{n:,}", lib_mb]
            for r in (a, d):
                cells += [cell(r, "wall_s"), cpu(r), cell(r, "peak_rss_mb"),
                          cell(r, "copy_pair_recall", "{:.3f}"),
                          cell(r, "pairwise_precision", "{:.3f}"), cell(r, "largest_cluster")]
            print("| " + " | ".join(cells + [ratio, load]) + " |")
        print_phases(corpus, sizes, by_key)
    print_targets(by_key, corpora)


def print_phases(corpus, sizes, by_key):
    table = {}
    for n in sizes:
        r = by_key.get((corpus, n, "agent-dedup"))
        if r and r["status"] == "ok" and r.get("phases"):
            table[n] = dict(p.split("=") for p in r["phases"].split())
    if not table:
        return
    names = list(dict.fromkeys(name for phases in table.values() for name in phases))
    print(f"\nagent-dedup's phases on `{corpus}` (s, `--timings`):\n")
    print("| agents | " + " | ".join(names) + " |")
    print("|---:" * (len(names) + 1) + "|")
    for n, phases in table.items():
        print(f"| {n:,} | " + " | ".join(f"{float(phases[p]):.2f}" if p in phases else "–"
                                         for p in names) + " |")


def print_targets(by_key, corpora):
    """Issue 15's targets as a checklist: met only when every corpus meets it."""
    checks = [
        ("100k: ≤ 10 s", lambda rows: at(rows, 100000, "wall_s", "{:.1f} s", lambda v: v <= 10)),
        ("100k: ≤ 1 GB", lambda rows: at(rows, 100000, "peak_rss_mb", "{:,.0f} MB",
                                          lambda v: v <= 1000)),
        ("10k: ≤ 1.2 s", lambda rows: at(rows, 10000, "wall_s", "{:.2f} s", lambda v: v <= 1.2)),
        ("10k: ≤ 300 MB", lambda rows: at(rows, 10000, "peak_rss_mb", "{:,.0f} MB",
                                           lambda v: v <= 300)),
        ("copy-pair recall ≥ 0.95 at every size", lambda rows: extreme(
            rows, "agent-dedup", "copy_pair_recall", min, "lowest {:.3f}", lambda v: v >= 0.95)),
        ("no cluster over 100 at every size", lambda rows: extreme(
            rows, "agent-dedup", "largest_cluster", max, "largest {:.0f}", lambda v: v <= 100)),
        ("≥ 4× faster than datasketch at every size", lambda rows: ratio_check(rows)),
    ]
    print("\nAgainst issue 15's targets (agent-dedup; wall times depend on the load):\n")
    for label, check in checks:
        results = []
        for corpus in corpora:
            rows = {(n, t): r for (c, n, t), r in by_key.items() if c == corpus}
            if rows:
                if corpus in DEFAULT_CORPORA:
                    results.append((corpus, *check(rows)))
        if not results:
            continue
        met = all(ok for _, _, ok in results)
        detail = "; ".join(f"{corpus} {text}" for corpus, text, _ in results)
        print(f"- [{'x' if met else ' '}] **{label}**: {detail}")


def at(rows, n, key, fmt, ok):
    r = rows.get((n, "agent-dedup"))
    if r is None or r["status"] != "ok":
        return ("not measured" if r is None else r["status"]), False
    value = float(r[key])
    return fmt.format(value), ok(value)


def extreme(rows, tool, key, pick, fmt, ok):
    values = [float(r[key]) for (n, t), r in rows.items()
              if t == tool and r["status"] == "ok" and r.get(key)]
    if not values:
        return "not measured", False
    value = pick(values)
    return fmt.format(value), ok(value) and len(values) == len({n for n, _ in rows})


def ratio_check(rows):
    ratios = []
    for n in sorted({n for n, _ in rows}):
        a, d = rows.get((n, "agent-dedup")), rows.get((n, "datasketch"))
        if a and d and a["status"] == d["status"] == "ok" and float(a["wall_s"]) > 0:
            ratios.append(float(d["wall_s"]) / float(a["wall_s"]))
    if not ratios:
        return "not measured", False
    complete = len(ratios) == len({n for n, _ in rows})
    return f"{min(ratios):.1f}–{max(ratios):.1f}×", complete and min(ratios) >= 4


if __name__ == "__main__":
    sys.exit(main())

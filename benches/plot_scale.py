#!/usr/bin/env python3
"""Plot the scale sweep: wall time and peak memory against library size, log-log.

    python3 benches/plot_scale.py [CSV] [--out docs/scale.png]

Reads the CSV benches/sweep.py writes (default: the newest target/sweep/*.csv), keeps the last
finished row of each (corpus, size, tool), and draws agent-dedup and datasketch on the real-sized
corpus as solid lines, on the default corpus as thin dashed ones, with the targets of issue 15
(≤ 1.2 s and ≤ 300 MB at 10k, ≤ 10 s and ≤ 1 GB at 100k) as markers. Needs matplotlib
(`pip install matplotlib`).
"""

import argparse
import csv
import glob
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter, NullFormatter  # noqa: E402

COLORS = {"agent-dedup": "tab:blue", "datasketch": "tab:orange"}
STYLES = {"real": dict(linestyle="-", linewidth=2.2, marker="o", alpha=1.0),
          "default": dict(linestyle="--", linewidth=1.2, marker=".", alpha=0.55)}
LABELS = {"real": "real-sized corpus", "default": "default corpus"}
# Issue 15's targets: (agents, seconds, MB).
TARGETS = [(10_000, 1.2, 300), (100_000, 10, 1000)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("csv", nargs="?", help="default: the newest target/sweep/*.csv")
    ap.add_argument("--out", default="docs/scale.png")
    args = ap.parse_args()
    path = args.csv or newest_csv()

    with open(path, newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["status"] == "ok"]
    last = {}
    for r in rows:
        last[(r["corpus"], r["tool"], int(r["n"]))] = r
    series = {}
    for (corpus, tool, n), r in sorted(last.items()):
        series.setdefault((corpus, tool), []).append(
            (n, float(r["wall_s"]), float(r["peak_rss_mb"])))
    if not series:
        sys.exit(f"{path}: no finished runs to plot")

    fig, (ax_time, ax_mem) = plt.subplots(1, 2, figsize=(11, 5), dpi=110)
    for corpus in ("default", "real"):  # real last, so that it is drawn on top
        for tool in COLORS:
            points = series.get((corpus, tool))
            if not points:
                continue
            ns, walls, mems = zip(*points)
            label = f"{tool}, {LABELS[corpus]}"
            ax_time.plot(ns, walls, color=COLORS[tool], label=label, **STYLES[corpus])
            ax_mem.plot(ns, mems, color=COLORS[tool], label=label, **STYLES[corpus])
    for i, (n, secs, mb) in enumerate(TARGETS):
        label = "target (issue 15)" if i == 0 else None
        ax_time.plot([n], [secs], "v", color="tab:red", markersize=9, label=label)
        ax_mem.plot([n], [mb], "v", color="tab:red", markersize=9, label=label)

    for ax, title, unit in ((ax_time, "Wall time (whole process)", "seconds"),
                            (ax_mem, "Peak memory (RSS, whole process)", "MB")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(title)
        ax.set_xlabel("agents in the library")
        ax.set_ylabel(unit)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}"))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.grid(True, which="major", alpha=0.35)
        ax.grid(True, which="minor", alpha=0.12)
    handles, labels = ax_time.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=5, fontsize=8, frameon=False)
    commits = sorted({r["commit"] for r in last.values()})
    loads = [float(r[k]) for r in last.values() for k in ("load1_before", "load1_after")]
    fig.suptitle(f"agent-dedup scan vs datasketch MinHash LSH (benches/sweep.py, commit "
                 f"{', '.join(commits)}; 1-min load average {min(loads):.1f}–{max(loads):.1f})",
                 fontsize=10)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    fig.savefig(args.out)
    print(f"wrote {args.out} from {path}")
    return 0


def newest_csv():
    found = glob.glob("target/sweep/*.csv")
    if not found:
        sys.exit("no target/sweep/*.csv: run benches/sweep.py first")
    return max(found, key=os.path.getmtime)


if __name__ == "__main__":
    sys.exit(main())

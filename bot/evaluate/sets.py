"""The evaluation sets `corridor eval` runs by default, and the store each one is asked against.

- dev, test: data/eval/gold.jsonl by its `split` field, on the eval collection (bundled corpus plus
  data/eval/fixtures).
- fresh-dev, fresh: data/eval/fresh_dev.jsonl and data/eval/fresh_test.jsonl, each on its own
  collection holding the bundled corpus plus its fixtures folder (data/eval/fresh/dev, data/eval/fresh/test):
  Markdown and text fixtures are ingested as files, HTML fixtures by URL from a loopback server
  (FixtureServer), the way a user ingests a web page.

Fixture doc ids: a file fixture's doc id is its file stem; an HTML fixture's is the URL's slug
(`127.0.0.1-<file name>`, port-free). Gold files name every fixture by its file stem in `evidence_docs`;
`EvalStore.doc_aliases` maps a stem to the id in the store when matching evidence.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from corridor.errors import CorridorError, InputError
from corridor.records import IngestReport
from corridor.settings import PROJECT_ROOT, Settings

from .fixture_server import FixtureServer, html_doc_ids
from .gold import DEFAULT_GOLD, FIXTURES_DIR, GoldItem, load_gold

EVAL_DIR = PROJECT_ROOT / "data" / "eval"
FIXTURE_TEXT_SUFFIXES = (".md", ".txt")


@dataclass(frozen=True)
class EvalSet:
    """One named question set and where its questions are asked."""

    name: str
    gold: Path
    splits: tuple[str, ...] | None  # only these `split` values of the file (None: every line)
    fixtures: Path | None  # a fresh set's fixture folder (None: the eval collection with data/eval/fixtures)
    gated: bool  # dev sets are never gated
    optional: bool = False  # skipped with a note when its gold file is absent
    only: frozenset[str] | None = None  # `--articles N` (article_part): the fixture stems its store holds

    @property
    def collection_suffix(self) -> str:
        suffix = "_eval" if self.fixtures is None else "_eval_" + self.name.replace("-", "_")
        # a part's store is its own collection: a whole-set store stays whole
        return suffix if self.only is None else f"{suffix}_part{len(self.only)}"

    def holds(self, stem: str) -> bool:
        """Whether the set's store holds this fixture (every one, unless it is a part of the articles)."""
        return self.only is None or stem in self.only

    def load(self, kinds: list[str] | None = None) -> list[GoldItem]:
        """The set's questions (only the given kinds, when given; may be empty then)."""
        items = load_gold(self.gold, splits=list(self.splits) if self.splits else None)
        return [i for i in items if not kinds or i.kind in kinds]


SETS: dict[str, EvalSet] = {
    "dev": EvalSet("dev", DEFAULT_GOLD, ("dev",), None, gated=False),
    "test": EvalSet("test", DEFAULT_GOLD, ("test",), None, gated=True),
    "fresh-dev": EvalSet("fresh-dev", EVAL_DIR / "fresh_dev.jsonl", None, EVAL_DIR / "fresh" / "dev",
                         gated=False, optional=True),
    "fresh": EvalSet("fresh", EVAL_DIR / "fresh_test.jsonl", None, EVAL_DIR / "fresh" / "test",
                     gated=True, optional=True),
}
DEFAULT_SETS = ("dev", "test", "fresh-dev", "fresh")


def parse_splits(values: list[str] | None) -> list[str]:
    """--split dev,test --split fresh → ["dev", "test", "fresh"] (in the order given, no repeats);
    none given: every default set."""
    names = [v.strip() for item in values or [] for v in item.split(",") if v.strip()]
    unknown = [n for n in names if n not in SETS]
    if unknown:
        raise InputError(f"--split {', '.join(unknown)}: unknown set (known: {', '.join(SETS)})")
    return list(dict.fromkeys(names)) or list(DEFAULT_SETS)


def custom_set(gold: Path) -> EvalSet:
    """`--gold FILE`: every question of one arbitrary file, on the eval collection, gated like test."""
    return EvalSet("gold", Path(gold), None, None, gated=True)


@dataclass
class EvalStore:
    """A set's store, how it was built, and the fixture-stem → stored doc id aliases."""

    settings: Settings
    store: object
    report: IngestReport
    doc_aliases: dict[str, str] = field(default_factory=dict)


def goes_to_lane(items: list[GoldItem], max_chars: int) -> bool:
    """Whether any question or earlier turn of these would be answered by the multilingual lane: the
    engine's own test (`Engine.lane_for`: the language guess on the cleaned question, and on the question as
    written for the retrieval metrics). A text the engine refuses before that test never reaches the lane."""
    from answering.language import language
    from answering.question import clean_question

    for item in items:
        for text in (*item.conversation, item.question):
            try:
                query = clean_question(text, max_chars).query
            except InputError:
                query = ""
            if (query and language(query) != "en") or language(text) != "en":
                return True
    return False


def set_settings(settings: Settings, eval_set: EvalSet, store_dir=None, lane: bool = True) -> Settings:
    """The settings of a set's store: collection `<name><suffix>` in the same store folder (or store_dir);
    a fresh set may fetch from loopback (its own fixture server), nothing else changes (the multilingual
    lane included: an English question the language guess misreads goes to it, as in the product).
    `lane=False` (no question of the run goes to the lane, `goes_to_lane`): the lane is neither built nor
    opened, which changes no answer and spares embedding every chunk a second time."""
    update: dict = {"collection": f"{settings.collection}{eval_set.collection_suffix}"}
    if not lane:
        update["multilingual_lane"] = False
    if store_dir is not None:
        update["store_dir"] = store_dir
    if eval_set.fixtures is not None:
        update["allow_private_urls"] = True
    return settings.model_copy(update=update)


def article_part(eval_set: EvalSet, items: list[GoldItem], n: int) -> tuple[EvalSet, set[str]]:
    """`--articles N`: a fixed part of a fixture set's articles, the N whose file stems hash lowest (SHA-1),
    so the part is the same on every run and a new article displaces at most one. Returns the set with its
    store limited to them (and the bundled corpus), and the ids of the questions on them among `items` (the
    set's questions in file order): an answerable question when every fixture it cites is in the part; an
    out-of-scope one (it cites none) when the answerable question after it is, as the held-out batches pair
    each with its control on the same article (the last ones of a file go with the answerable one before)."""
    if eval_set.fixtures is None:
        return eval_set, {i.id for i in items}
    suffixes = (*FIXTURE_TEXT_SUFFIXES, ".html")
    stems = {p.stem for p in eval_set.fixtures.iterdir() if p.suffix.lower() in suffixes}
    if n >= len(stems):
        return eval_set, {i.id for i in items}
    part = frozenset(sorted(stems, key=lambda stem: hashlib.sha1(stem.encode()).hexdigest())[:n])
    on_part = {i.id: all(d in part or d not in stems for d in i.evidence_docs)  # corpus files are always in
               for i in items if i.evidence_docs}
    kept: set[str] = set()
    after = next((i.id for i in reversed(items) if i.id in on_part), None)
    for item in reversed(items):
        if item.id in on_part:
            after = item.id
        if after is not None and on_part[after]:
            kept.add(item.id)
    return replace(eval_set, only=part), kept


def build_set_store(settings: Settings, eval_set: EvalSet, progress: bool = False) -> EvalStore:
    """Ingest what the set needs into `settings.collection` (incremental: unchanged documents cost nothing,
    fixtures no longer in the folder are removed) and return the store. `settings` comes from set_settings."""
    from answering.sentence_vectors import after_ingest
    from ingest.pipeline import ingest
    from vectorstore.store import ChunkStore

    store = ChunkStore(settings)
    if eval_set.fixtures is None:
        report = ingest([str(settings.corpus_dir), str(FIXTURES_DIR)], settings, store=store, prune=True,
                        progress=progress)
        aliases: dict[str, str] = {}
    else:
        folder = eval_set.fixtures
        if not folder.is_dir():
            raise InputError(f"the {eval_set.name} set's fixture folder is missing: {folder}")
        files = [str(p) for p in sorted(folder.iterdir())
                 if p.suffix.lower() in FIXTURE_TEXT_SUFFIXES and eval_set.holds(p.stem)]
        with FixtureServer(folder) as server:
            urls = [url for stem, url in server.html_urls().items() if eval_set.holds(stem)]
            report = ingest([str(settings.corpus_dir), *files, *urls], settings, store=store, prune=True,
                            progress=progress)
        aliases = html_doc_ids(folder)
        seen = {*report.added, *report.updated, *report.unchanged}
        for doc_id in store.doc_sources():  # fixtures (or corpus files) gone since the last run
            if doc_id not in seen and not report.failed:
                store.delete_doc(doc_id)
                report.removed.append(doc_id)
    if report.failed:
        first = next(iter(report.failed.items()))
        raise CorridorError(f"the {eval_set.name} store could not ingest {first[0]}: {first[1]}")
    # The sentence vectors `corridor ingest` leaves, so an eval answers as a user's store does (reading them,
    # not embedding each answer's candidates). Not the multilingual lane's: few questions go to it, and its e5
    # embeds a whole store's sentences at ~25 ms each (they are embedded when an answer needs them).
    after_ingest(store, report, progress=progress, catch_up=True, lane=False)
    return EvalStore(settings, store, report, aliases)


def sample(items: list[GoldItem], n: int, shares: list[GoldItem] | None = None) -> list[GoldItem]:
    """`--sample N`: a fixed part of a set, N questions stratified by kind (each kind keeps its share,
    rounded by largest remainder), in the set's order. Within a kind the questions whose ids hash lowest
    (SHA-1) are kept, so the part is the same on every run and machine, and a question added to the set
    displaces at most one (when its hash is lower than the kind's last kept one). `shares`: the kinds'
    shares are those of these questions (the whole set, when `items` are the questions on a part of its
    articles), each kind capped at what `items` hold."""
    if n >= len(items):
        return list(items)
    by_kind: dict[str, list[GoldItem]] = {}
    for item in items:
        by_kind.setdefault(item.kind, []).append(item)
    counts = Counter(i.kind for i in shares or items if i.kind in by_kind)
    total = sum(counts.values())
    quota = {kind: min(n * counts[kind] / total, len(group)) for kind, group in by_kind.items()}
    take = {kind: int(q) for kind, q in quota.items()}
    room = [k for k in quota if take[k] < len(by_kind[k])]
    for kind in sorted(room, key=lambda k: (take[k] - quota[k], k))[: max(0, n - sum(take.values()))]:
        take[kind] += 1
    kept = {item.id for kind, group in by_kind.items()
            for item in sorted(group, key=lambda i: hashlib.sha1(i.id.encode()).hexdigest())[: take[kind]]}
    return [item for item in items if item.id in kept]

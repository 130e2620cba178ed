"""`corridor eval` metric functions on hand-built records, gold loading and the gate (no models)."""

from __future__ import annotations

import json
import re

import chromadb
import pytest

from bot.evaluate import metrics as m
from bot.evaluate.command import plan_sets, split_ids
from bot.evaluate.evidence import DocTexts, Span, contains, normalise, normalise_with_map
from bot.evaluate.gate import check, limits_for, load_thresholds
from bot.evaluate.gold import GoldItem, load_gold
from bot.evaluate.report import highlight
from bot.evaluate.runner import locate_evidence
from bot.evaluate.sets import SETS, EvalSet, article_part, parse_splits, sample
from corridor.errors import InputError
from corridor.records import Answer, Chunk, Citation, Statement

DOC = ("Kazakhstan exports grain. The visit primarily focused on trade and several infrastructure "
       "projects. Russian ports are no longer considered safe.")
QUOTE = "The visit primarily focused on trade"


def chunk(start: int, end: int, doc_id: str = "doc", cid: str | None = None) -> Chunk:
    return Chunk(chunk_id=cid or f"{doc_id}-{start}", doc_id=doc_id, ordinal=0, text=DOC[start:end],
                 start=start, end=end)


def span_of(quote: str, doc_id: str = "doc") -> Span:
    i = DOC.index(quote)
    return Span(doc_id, i, i + len(quote))


def test_normalise_folds_case_space_and_typographic_marks() -> None:
    assert normalise("  Türkiye’s\n  “multi-vector”\tpolicy — ") == "türkiye's \"multi-vector\" policy -"
    text = "A  b\nC’d"
    norm, where = normalise_with_map(text)
    assert norm == "a b c'd"
    assert [text[i] for i in where] == ["A", " ", "b", "\n", "C", "’", "d"]


def test_contains_by_substring_and_by_span_overlap() -> None:
    s = span_of(QUOTE)
    whole = chunk(0, len(DOC))
    assert contains(whole, "the visit   PRIMARILY focused on trade", [])  # text match needs no span
    q0 = s.start
    n = len(QUOTE)
    # the quote straddles two chunks: 70% in the first, 30% in the second
    first, second = chunk(0, q0 + int(0.7 * n)), chunk(q0 + int(0.7 * n), len(DOC))
    assert contains(first, QUOTE, [s])
    assert not contains(second, QUOTE, [s])
    half = chunk(0, q0 + n // 2)  # exactly half: under the 60% bar
    assert not contains(half, QUOTE, [s])
    assert not contains(chunk(0, q0 + int(0.7 * n), doc_id="other"), QUOTE, [s])  # another document


def test_retrieval_hits_and_reciprocal_rank() -> None:
    s = span_of(QUOTE)
    miss = chunk(0, 20)
    hit = chunk(0, len(DOC))
    ev = {QUOTE: [s]}
    got = m.retrieval([miss, miss, hit, miss], ev)
    assert got == {"hit_at_1": 0.0, "hit_at_5": 1.0, "mrr": pytest.approx(1 / 3)}
    assert m.retrieval([hit], ev) == {"hit_at_1": 1.0, "hit_at_5": 1.0, "mrr": 1.0}
    assert m.retrieval([miss] * 5 + [hit], ev) == {"hit_at_1": 0.0, "hit_at_5": 0.0, "mrr": 0.0}
    assert m.retrieval([hit], {}) == {"hit_at_1": None, "hit_at_5": None, "mrr": None}


def cite(n: int, c: Chunk) -> Citation:
    return Citation(number=n, doc_id=c.doc_id, title="t", chunk_id=c.chunk_id, start=c.start, end=c.end,
                    quote=c.text)


def answer(statements: list[Statement], citations: list[Citation], abstained: bool = False) -> Answer:
    return Answer(question="q", standalone_question="q", statements=statements, citations=citations,
                  abstained=abstained)


def test_citation_precision_recall_and_faithfulness() -> None:
    ev_chunk = chunk(0, 100)  # holds QUOTE
    other = chunk(100, len(DOC))  # "Russian ports are no longer considered safe."
    ev = {QUOTE: [span_of(QUOTE)], "Kazakhstan exports grain": [span_of("Kazakhstan exports grain")]}
    a = answer([Statement(text="The visit primarily focused on trade.", citations=[1]),
                Statement(text="Turkish drones were sold to Astana in large numbers.", citations=[2])],
               [cite(1, ev_chunk), cite(2, other)])
    # citation 2 holds no evidence and supports nothing of its sentence
    assert m.citation_precision(a, ev, expect_abstain=False) == 0.5
    assert m.faithfulness(a) == 0.5
    # both quotes sit in chunk 0..100, which is cited
    assert m.citation_recall(a, ev) == 1.0
    only_other = answer([Statement(text="Russian ports are no longer considered safe.", citations=[1])],
                        [cite(1, other)])
    assert m.citation_precision(only_other, ev, expect_abstain=False) == 1.0  # it supports its sentence
    assert m.citation_recall(only_other, ev) == 0.0
    assert m.faithfulness(only_other) == 1.0
    # an answer that should have been a refusal: its citations are imprecise
    assert m.citation_precision(only_other, {}, expect_abstain=True) == 0.0
    refusal = answer([Statement(text="The sources do not cover this.")], [], abstained=True)
    assert m.citation_precision(refusal, {}, expect_abstain=True) is None
    assert m.faithfulness(refusal) is None
    assert m.citation_recall(refusal, ev) == 0.0
    # evidence cited: one cited evidence passage is enough (unlike recall, a share of the quotes)
    assert m.evidence_cited(a, ev, expect_abstain=False) == 1.0
    assert m.evidence_cited(only_other, ev, expect_abstain=False) == 0.0
    ports = "Russian ports are no longer"
    one_quote = {QUOTE: [span_of(QUOTE)], ports: [span_of(ports)]}
    assert m.citation_recall(only_other, one_quote) == 0.5
    assert m.evidence_cited(only_other, one_quote, expect_abstain=False) == 1.0
    assert m.evidence_cited(refusal, ev, expect_abstain=False) == 0.0  # refused an answerable question
    assert m.evidence_cited(refusal, {}, expect_abstain=True) is None  # not answerable: does not apply


def test_opens_with_evidence() -> None:
    ev = {QUOTE: [span_of(QUOTE)]}

    def answer(*texts: str) -> Answer:
        return Answer(question="q", standalone_question="q",
                      statements=[Statement(text=t, citations=[1]) for t in texts],
                      citations=[Citation(number=1, doc_id="doc", chunk_id="c", title="T", quote=DOC,
                                          start=0, end=len(DOC))])

    assert m.opens_with_evidence(answer("The visit primarily focused on trade and several projects."), ev,
                                 expect_abstain=False) == 1.0
    # the evidence second: cited, but the answer opens with background
    assert m.opens_with_evidence(answer("Kazakhstan exports grain.", "The visit primarily focused on trade."),
                                 ev, expect_abstain=False) == 0.0
    # a whole passage as one statement (the baseline): its first sentence counts
    assert m.opens_with_evidence(answer(DOC), ev, expect_abstain=False) == 0.0
    assert m.opens_with_evidence(answer("The visit primarily focused on trade. More."), {}, True) is None


def test_on_point_charges_an_answer_for_what_it_adds() -> None:
    ev = {QUOTE: [span_of(QUOTE)]}

    def answer(*texts: str, abstained: bool = False) -> Answer:
        return Answer(question="q", standalone_question="q", abstained=abstained,
                      statements=[Statement(text=t, citations=[1]) for t in texts],
                      citations=[Citation(number=1, doc_id="doc", chunk_id="c", title="T", quote=DOC,
                                          start=0, end=len(DOC))])

    focused = answer("The visit primarily focused on trade and several infrastructure projects.")
    padded = answer("The visit primarily focused on trade and several infrastructure projects.",
                    "Kazakhstan exports grain.", "Russian ports are no longer considered safe.")
    assert m.on_point(focused, ev, [], expect_abstain=False) == 1.0
    assert m.on_point(padded, ev, [], expect_abstain=False) == pytest.approx(1 / 3)
    # a must_include item makes its sentence count; case and typography do not matter
    assert m.on_point(padded, ev, [["RUSSIAN PORTS"]], expect_abstain=False) == pytest.approx(2 / 3)
    assert m.on_point(padded, {}, [["grain"]], expect_abstain=False) == pytest.approx(1 / 3)
    # the baseline's whole passage as one statement: each of its sentences counts
    assert m.on_point(answer(DOC), ev, [], expect_abstain=False) == pytest.approx(1 / 3)
    # nothing to judge: a refusal, a question that should be refused, or no evidence and no must_include
    assert m.on_point(answer(DOC, abstained=True), ev, [], expect_abstain=False) is None
    assert m.on_point(padded, ev, [], expect_abstain=True) is None
    assert m.on_point(padded, {}, [], expect_abstain=False) is None


def test_must_include_and_must_not_include() -> None:
    text = "Trade may grow over the next DECADE [1]; the $15 billion goal stands."
    groups = [["10 years", "decade"], ["Kazakhstan"], ["$15 billion", "15bn"]]
    assert m.missing_groups(text, groups) == [["Kazakhstan"]]
    assert m.must_include_recall(text, groups) == pytest.approx(2 / 3)
    assert m.must_include_recall(text, []) is None
    assert m.violations(text, ["corridor is OFFLINE", "$15 BILLION goal"]) == ["$15 BILLION goal"]


def test_aggregate_means_skip_none_and_latency_percentiles() -> None:
    rows = [{"kind": "a", "metrics": {"hit_at_5": 1.0, "faithfulness": None}, "latency_ms": 10.0},
            {"kind": "a", "metrics": {"hit_at_5": 0.0, "faithfulness": 1.0}, "latency_ms": 30.0},
            {"kind": "b", "metrics": {"hit_at_5": None, "faithfulness": 0.5}, "latency_ms": 100.0}]
    out = m.by_kind(rows)
    assert out["overall"]["n"] == 3
    assert out["overall"]["hit_at_5"] == 0.5
    assert out["overall"]["faithfulness"] == 0.75
    assert out["overall"]["latency_p50_ms"] == 30.0
    assert out["overall"]["latency_p95_ms"] == 93.0
    assert out["b"]["hit_at_5"] is None and out["a"]["faithfulness"] == 1.0


def test_doc_texts_rebuild_documents_from_chunks_in_chroma() -> None:
    client = chromadb.EphemeralClient()
    col = client.create_collection("doctexts_test", embedding_function=None)
    cuts = [(0, 60), (50, 110), (100, len(DOC))]  # overlapping chunks, as the chunker makes them
    col.add(ids=[f"c{i}" for i in range(3)], embeddings=[[1.0, 0.0]] * 3,
            documents=[DOC[s:e] for s, e in cuts],
            metadatas=[{"doc_id": "doc", "start": s, "end": e} for s, e in cuts])
    texts = DocTexts(col)
    assert texts.texts["doc"] == DOC
    spans = texts.locate("the VISIT primarily\nfocused on trade")
    assert spans == [span_of(QUOTE)]
    assert texts.locate("not in the corpus at all") == []
    assert texts.locate(QUOTE, ["unknown-doc"]) == spans  # unknown doc ids fall back to every document
    # a user's gold line hears which of its quotes the eval cannot use fully: one found nowhere, one too short
    # for "opens with evidence" to tell which sentence holds it
    item = GoldItem(id="u1", question="What did the visit focus on?", kind="single_doc",
                    evidence=[QUOTE, "on trade", "not in the corpus at all"])
    evidence, warnings = locate_evidence(texts, item)
    assert evidence[QUOTE] == spans and evidence["on trade"] and evidence["not in the corpus at all"] == []
    assert len(warnings) == 2 and "'on trade' has fewer than 3 words" in warnings[0]
    assert "not found in the store" in warnings[1]
    client.delete_collection("doctexts_test")


def test_load_gold_checks_lines(tmp_path) -> None:
    good = {"id": "a1", "question": "Q?", "kind": "follow_up", "evidence": ["x"],
            "conversation": [{"role": "user", "content": "Earlier?"}], "must_include": [["x", "y"], "z"]}
    oos = {"id": "o1", "question": "Brazil?", "kind": "out_of_scope"}
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps(oos) + "\n")
    items = load_gold(path)
    assert items[0].conversation == ["Earlier?"] and items[0].must_include == [["x", "y"], ["z"]]
    assert items[0].expect_abstain is False and items[1].expect_abstain is True
    assert [i.id for i in load_gold(path, ["out_of_scope"])] == ["o1"]
    with pytest.raises(InputError, match="no gold questions of kind numeric"):
        load_gold(path, ["numeric"])
    path.write_text(json.dumps(good) + "\n{not json\n")
    with pytest.raises(InputError, match="line 2"):
        load_gold(path)
    path.write_text(json.dumps(good) + "\n" + json.dumps(good) + "\n")
    with pytest.raises(InputError, match="duplicate id 'a1'"):
        load_gold(path)
    path.write_text(json.dumps({"id": "b", "kind": "numeric"}) + "\n")
    with pytest.raises(InputError, match="line 1: question"):
        load_gold(path)
    with pytest.raises(InputError, match="not found"):
        load_gold(tmp_path / "missing.jsonl")


def test_thresholds_and_gate(tmp_path) -> None:
    path = tmp_path / "t.toml"
    path.write_text("[overall]\nhit_at_5 = 0.8\nfaithfulness = 0.9\n[kinds.numeric]\nhit_at_1 = 0.95\n")
    limits = load_thresholds(path)["*"]  # top-level tables: every gated set without its own section
    assert limits == {"overall": {"hit_at_5": 0.8, "faithfulness": 0.9}, "numeric": {"hit_at_1": 0.95}}
    summary = {"overall": {"hit_at_5": 0.85, "faithfulness": None}, "numeric": {"hit_at_1": 0.9}}
    breaches = check(summary, limits)
    assert [(b.scope, b.metric) for b in breaches] == [("overall", "faithfulness"), ("numeric", "hit_at_1")]
    assert str(breaches[1]) == "numeric hit_at_1 = 0.900 < 0.950"
    assert check({"overall": {"hit_at_5": 0.8, "faithfulness": 1.0}}, limits) == []  # numeric not run
    path.write_text("[overall]\nhit_at_6 = 0.8\n")
    with pytest.raises(InputError, match="unknown metric 'hit_at_6'"):
        load_thresholds(path)
    path.write_text("[overall]\nhit_at_5 = 80\n")
    with pytest.raises(InputError, match="from 0 to 1"):
        load_thresholds(path)
    path.write_text("[overall\n")
    with pytest.raises(InputError, match="not valid TOML"):
        load_thresholds(path)


def test_per_set_thresholds(tmp_path) -> None:
    path = tmp_path / "t.toml"
    path.write_text("[test.overall]\nhit_at_5 = 0.8\n[test.kinds.out_of_scope]\nabstention_accuracy = 0.7\n"
                    "[fresh.overall]\nevidence_cited = 0.6\n")
    limits = load_thresholds(path)
    assert limits == {"test": {"overall": {"hit_at_5": 0.8}, "out_of_scope": {"abstention_accuracy": 0.7}},
                      "fresh": {"overall": {"evidence_cited": 0.6}}}
    assert limits_for(limits, "dev") is None and limits_for(limits, "fresh-dev") is None  # never gated
    assert limits_for(limits, "gold") is None  # --gold FILE: no section of its own, no top-level tables
    summary = {"overall": {"hit_at_5": 0.9, "evidence_cited": 0.5},
               "out_of_scope": {"abstention_accuracy": 0.5}}
    assert [str(b) for b in check(summary, limits_for(limits, "test"), "test")] == [
        "test out_of_scope abstention_accuracy = 0.500 < 0.700"]
    assert [str(b) for b in check(summary, limits_for(limits, "fresh"), "fresh")] == [
        "fresh overall evidence_cited = 0.500 < 0.600"]
    path.write_text("[overall]\nhit_at_5 = 0.5\n[fresh.overall]\nhit_at_5 = 0.9\n")
    both = load_thresholds(path)
    assert limits_for(both, "test") == {"overall": {"hit_at_5": 0.5}}  # falls back to the top level
    assert limits_for(both, "fresh") == {"overall": {"hit_at_5": 0.9}}
    for text, message in (("[dev.overall]\nhit_at_5 = 0.5\n", "never gated"),
                          ("[fresh-dev.overall]\nhit_at_5 = 0.5\n", "never gated"),
                          ("[tset.overall]\nhit_at_5 = 0.5\n", "unknown section"),
                          ("[test.overall]\nrecall = 0.5\n", "unknown metric 'recall' in [test.overall]")):
        path.write_text(text)
        with pytest.raises(InputError, match=re.escape(message)):
            load_thresholds(path)


def test_split_selection_and_set_plan(tmp_path, monkeypatch) -> None:
    assert parse_splits(None) == ["dev", "test", "fresh-dev", "fresh"]
    assert parse_splits(["test,fresh", "dev", "test"]) == ["test", "fresh", "dev"]
    with pytest.raises(InputError, match="--split tset: unknown set"):
        parse_splits(["tset"])
    plan, notes = plan_sets(None, ["dev", "test"], None)
    assert [s.name for s, _ in plan] == ["dev", "test"]
    assert {i.split for i in plan[0][1]} == {"dev"} and {i.split for i in plan[1][1]} == {"test"}
    assert len(plan[0][1]) + len(plan[1][1]) == len(load_gold()) and not notes
    plan, notes = plan_sets(None, ["test", "fresh-dev"], ["who_said"])  # no who_said in gold.jsonl
    assert [s.name for s, _ in plan] == ["fresh-dev"] and all(i.kind == "who_said" for i in plan[0][1])
    assert notes == ["set test skipped: no questions of kind who_said"]
    with pytest.raises(InputError, match="no gold questions of kind nonsense"):
        plan_sets(None, None, ["nonsense"])
    assert split_ids(["fd1364-fd1366,d02", " ft9 ", ""]) == {"fd1364", "fd1365", "fd1366", "d02", "ft9"}
    assert split_ids(["d08-d10"]) == {"d08", "d09", "d10"}
    assert split_ids(None) is None and split_ids([","]) is None
    plan, notes = plan_sets(None, ["dev", "test"], ["numeric"], split_ids(["d01-d99"]))
    assert [s.name for s, _ in plan] == ["dev"] and all(i.kind == "numeric" for i in plan[0][1])
    assert notes[0] == "set test skipped: no questions of kind numeric and with the ids asked for"
    with pytest.raises(InputError, match="not both"):
        plan_sets(tmp_path / "x.jsonl", ["dev"], None)
    missing = EvalSet("fresh", tmp_path / "absent.jsonl", None, tmp_path, gated=True, optional=True)
    monkeypatch.setitem(SETS, "fresh", missing)
    plan, notes = plan_sets(None, ["test", "fresh"], None)
    assert [s.name for s, _ in plan] == ["test"]
    assert notes == [f"set fresh skipped: {tmp_path / 'absent.jsonl'} is not there (yet)"]


def test_a_sample_keeps_each_kinds_share_and_is_the_same_as_the_set_grows() -> None:
    items = SETS["fresh-dev"].load()
    part = sample(items, 300)
    assert len(part) == 300 and part == sample(list(reversed(items)), 300)[::-1]  # the set's order, fixed
    for kind in {i.kind for i in items}:  # each kind's share, to within one question
        share = 300 * sum(i.kind == kind for i in items) / len(items)
        assert abs(sum(i.kind == kind for i in part) - share) < 1, kind
    grown = sample(items + [items[0].model_copy(update={"id": f"fd{n}"}) for n in range(90001, 90041)], 300)
    assert len({i.id for i in part} - {i.id for i in grown}) <= 40  # 40 new questions displace at most 40
    assert sample(items[:10], 300) == items[:10]
    plan, notes = plan_sets(None, ["dev", "fresh-dev"], None, None, 300)
    assert [len(q) for _, q in plan] == [len(SETS["dev"].load()), 300]
    assert notes == [f"set fresh-dev: a fixed sample of 300 of its {len(items):,} questions (--sample, "
                     "stratified by kind)"]


def test_a_part_of_the_articles_keeps_the_questions_on_them_and_the_kinds_shares() -> None:
    fresh_dev = SETS["fresh-dev"]
    items = fresh_dev.load()
    stems = {p.stem for p in fresh_dev.fixtures.iterdir() if p.suffix in (".md", ".html")}
    part_set, kept = article_part(fresh_dev, items, 200)
    assert len(part_set.only) == 200 and part_set.only <= stems
    assert part_set.collection_suffix == "_eval_fresh_dev_part200"  # not the whole set's store
    assert article_part(fresh_dev, list(reversed(items)), 200)[0].only == part_set.only  # fixed, by name
    answerable = [i for i in items if i.evidence_docs]
    for i in answerable:  # kept exactly when every fixture it cites is in the part (corpus files always are)
        assert (i.id in kept) == all(d in part_set.only or d not in stems for d in i.evidence_docs), i.id
    for n, i in enumerate(items):  # an out-of-scope question goes with the answerable one after it
        if not i.evidence_docs:
            after = next((j for j in items[n + 1:] if j.evidence_docs), answerable[-1])
            assert (i.id in kept) == (after.id in kept), i.id
    assert 0.2 < len(kept) / len(items) < 0.5 and kept & {i.id for i in items if not i.evidence_docs}
    assert article_part(fresh_dev, items, len(stems)) == (fresh_dev, {i.id for i in items})  # all: the set
    plan, notes = plan_sets(None, ["fresh-dev"], None, None, 300, 200)
    (planned, asked), = plan
    assert planned.only == part_set.only and {i.id for i in asked} <= kept and len(asked) == 300
    assert notes[0] == (f"set fresh-dev: 200 of its articles and the {len(kept):,} questions on them "
                        "(--articles)")
    for kind in {i.kind for i in items}:  # the whole set's shares, not the part's
        share = 300 * sum(i.kind == kind for i in items) / len(items)
        assert abs(sum(i.kind == kind for i in asked) - share) < 1, kind
    (dev_set, dev_items), = plan_sets(None, ["dev"], None, None, None, 200)[0]
    assert dev_set.only is None and len(dev_items) == len(SETS["dev"].load())  # no fixture folder: whole


def test_highlight_marks_evidence_and_escapes_html() -> None:
    out = str(highlight("<b>Note</b>: the visit  primarily focused on trade.", [QUOTE]))
    assert out == "&lt;b&gt;Note&lt;/b&gt;: <mark>the visit  primarily focused on trade</mark>."

"""`corridor eval` end to end on the real sets: the reports, the side-by-side table, the exit status."""

from __future__ import annotations

import importlib.util
import json
import re

import pytest
from markupsafe import escape

from bot.evaluate.command import plan_sets
from bot.evaluate.gate import DEFAULT_THRESHOLDS, limits_for, load_thresholds
from bot.evaluate.metrics import METRIC_KEYS
from bot.evaluate.sets import SETS
from bot.evaluate.table import compare
from corridor.errors import InputError

from .conftest import CI_ARTICLES, CI_SAMPLE, invoke

pytestmark = pytest.mark.slow


def abstention_from_outcomes(rows: list[dict], name: str) -> dict[str, float]:
    """Abstention accuracy per kind and overall, recomputed from each answer's raw outcome (abstained or not)
    and the set's gold expectations, without the evaluator's metric code."""
    gold = {g.id: g for g in SETS[name].load()}
    out = {}
    for scope in {"overall"} | {r["kind"] for r in rows}:
        scoped = [r for r in rows if scope == "overall" or r["kind"] == scope]
        out[scope] = sum(r["abstained"] == bool(gold[r["id"]].expect_abstain) for r in scoped) / len(scoped)
    return out


def test_a_set_whose_questions_are_all_english_gets_no_multilingual_lane(eval_cli_run) -> None:
    """test has Turkish and Russian questions: its lane is built and answers them. fresh has none: its lane
    is not built (it would embed every chunk again for no answer), and the report says so."""
    report = eval_cli_run.report
    test = report["sets"]["test"]
    assert test["config"]["multilingual_lane"] is True
    lane_langs = {r["lang"] for r in test["questions"]["corridor"]} - {"en"}
    assert lane_langs  # the test split has non-English questions
    if "fresh" in report["sets"]:
        assert report["sets"]["fresh"]["config"]["multilingual_lane"] is False
        note = "set fresh: no question goes to the multilingual lane, so its lane was not built"
        assert note in report["notes"]
        assert report["sets"]["fresh"]["ingest"]["multilingual_chunks_embedded"] == 0


def test_eval_runs_the_sets_side_by_side_with_the_baseline(eval_cli_run) -> None:
    result, report, html = eval_cli_run.result, eval_cli_run.report, eval_cli_run.html
    fresh_present = SETS["fresh"].gold.is_file()
    expected = ["test"] + (["fresh"] if fresh_present else [])
    assert report["set_names"] == expected
    if not fresh_present:
        assert any("set fresh skipped" in n for n in report["notes"]) and "set fresh skipped" in result.output
    # one table: a column per set, each cell corridor | baseline; per kind rows, the new kinds among them
    header = next(line for line in result.output.splitlines() if " metric " in line)
    assert [c for c in header.split() if c != "metric"] == expected
    assert "each cell: corridor|baseline" in result.output
    for kind in ("overall", "single_doc", "out_of_scope", "who_said", "timeline", "latest", "date_bound"):
        assert re.search(rf"^\s*{kind}\s+(n=\d+|—)", result.output, re.M), kind
    assert "evidence cited" in result.output
    # every question of every set (fresh: its fixed CI sample), for both systems, with its answer, citations
    # and verdicts
    plan, _ = plan_sets(None, expected, None, None, CI_SAMPLE, CI_ARTICLES)
    planned = {s.name: [i.id for i in items] for s, items in plan}
    planned_sets = {s.name: s for s, _ in plan}
    for name in expected:
        data = report["sets"][name]
        n = min(len(SETS[name].load()), CI_SAMPLE)
        assert data["config"]["questions"] == n
        asked = [r["id"] for r in data["questions"]["corridor"]]
        assert asked == planned[name]  # fresh: a fixed sample of the questions on a fixed part of its texts
        assert data["config"]["collection"].endswith("_part" + str(CI_ARTICLES)) == (name == "fresh")
        for system in ("corridor", "baseline"):
            rows = data["questions"][system]
            assert len(rows) == n
            assert set(METRIC_KEYS) <= set(rows[0]["metrics"])
            # the summary is what the answers did: abstention recomputed from the raw outcomes
            for scope, value in abstention_from_outcomes(rows, name).items():
                written = data["summary"][system][scope]["abstention_accuracy"]
                assert written == pytest.approx(value, abs=1e-4), (name, system, scope)
        assert not any(r["abstained"] for r in data["questions"]["baseline"])  # it never refuses
        assert data["summary"]["baseline"]["out_of_scope"]["abstention_accuracy"] == 0.0
        assert all(len(r["citations"]) == 1 and r["answer"] == r["citations"][0]["quote"] + " [1]"
                   for r in data["questions"]["baseline"])  # the top passage, cited
    assert report["sets"]["test"]["gold"] == "data/eval/gold.jsonl"
    if fresh_present:
        assert {q["id"][:2] for q in report["sets"]["fresh"]["questions"]["corridor"]} == {"ft"}
        # fresh ran on its own collection, with the HTML fixtures ingested by URL
        ingest = report["sets"]["fresh"]["ingest"]
        stored = set(ingest["added"] + ingest["updated"] + ingest["unchanged"])
        part = planned_sets["fresh"].only  # the gate's part of the articles: those, and only those, stored
        pages = {f"127.0.0.1-{p.name}" for p in SETS["fresh"].fixtures.glob("*.html") if p.stem in part}
        files = {p.stem for p in SETS["fresh"].fixtures.glob("*.md") if p.stem in part}
        assert pages and files and pages | files <= stored
        outside = {f"127.0.0.1-{p.name}" for p in SETS["fresh"].fixtures.glob("*.html") if p.stem not in part}
        assert outside and not outside & stored
        assert report["sets"]["fresh"]["config"]["collection"].endswith(f"_eval_fresh_part{CI_ARTICLES}")
    # what is worse than the baseline is listed, and agrees with the summaries
    worse = {(w["set"], w["scope"], w["metric"]) for w in report["worse_than_baseline"]}
    for name in expected:
        s = report["sets"][name]["summary"]
        for scope, values in s["corridor"].items():
            for key in METRIC_KEYS:
                worse_here = compare(values[key], s["baseline"][scope][key], key) < 0
                assert ((name, scope, key) in worse) == worse_here
    if worse:
        assert "worse than the baseline" in result.output
    # the HTML: one self-contained file, a chart per metric, each set's failing questions
    assert html.count("<svg") >= len(METRIC_KEYS) - 1
    assert not re.search(r"<(?:script|img|link)[^>]+(?:src|href)=", html)
    for name in expected:
        rows = report["sets"][name]["questions"]["corridor"]
        failing = [r for r in rows if r["failed"]]
        assert f"Set {name}: failing questions ({len(failing)} of {len(rows)})" in html
        for r in failing:
            assert f"{r['id']} · {r['kind']}" in html
            assert all(str(escape(q)) in html for q in r["evidence"])


def test_gate_is_per_set_and_never_on_dev(eval_cli_run) -> None:
    result, report = eval_cli_run.result, eval_cli_run.report
    gate = report["gate"]
    limits = load_thresholds(DEFAULT_THRESHOLDS)
    assert gate["gated_sets"] == [n for n in report["set_names"] if n in ("test", "fresh")]
    for name in gate["gated_sets"]:
        table = limits_for(limits, name)
        assert table, f"data/eval/thresholds.toml has no [{name}] section"
        summary = report["sets"][name]["summary"]["corridor"]
        met = all(summary[scope][k] is not None and summary[scope][k] >= v
                  for scope, metrics in table.items() if scope in summary for k, v in metrics.items())
        assert report["sets"][name]["gate"]["passed"] == met
    assert gate["passed"] == all(report["sets"][n]["gate"]["passed"] for n in gate["gated_sets"])
    assert result.exit_code == (0 if gate["passed"] else 1), result.output


def test_gate_fails_with_exit_1_and_names_the_set_and_metric(eval_store, tmp_path) -> None:
    strict = tmp_path / "strict.toml"
    # A breach by construction: no Turkish or Russian question carries a must_not_include, so that metric has
    # no value, and a metric without a value breaches. (hit@1 = 1.0 served until the lane's fitted fusion
    # reached it on these questions.)
    strict.write_text("[test.overall]\nabstention_accuracy = 1.0\nhit_at_1 = 1.0\n"
                      "must_not_include_ok = 1.0\n")
    out = tmp_path / "r"
    result = invoke(eval_store, ["--kinds", "multilingual", "--split", "dev,test", "--thresholds",
                                 str(strict), "--no-baseline", "--out", str(out)])
    report = json.loads((out / "report.json").read_text())
    assert report["set_names"] == ["dev", "test"] and report["systems"] == ["corridor"]
    assert report["sets"]["test"]["config"]["questions"] == len(SETS["test"].load(["multilingual"]))
    breached = {(b["set"], b["metric"]) for b in report["gate"]["breaches"]}
    assert ("test", "must_not_include_ok") in breached, "a metric without a value must breach"
    assert {s for s, _ in breached} == {"test"}  # dev is never gated, even when it scores as badly
    assert report["sets"]["dev"]["gate"] is None
    assert result.exit_code == 1
    assert "quality gate FAILED" in result.output
    for _, metric in breached:
        assert metric in result.output


def test_gold_option_runs_one_file_as_it_is(eval_store, tmp_path) -> None:
    lines = [line for line in SETS["test"].gold.read_text(encoding="utf-8").splitlines()
             if '"kind": "numeric"' in line][:2]  # any split: --gold takes the file as it is
    gold = tmp_path / "mine.jsonl"
    gold.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "r"
    result = invoke(eval_store, ["--gold", str(gold), "--no-baseline", "--out", str(out)])
    report = json.loads((out / "report.json").read_text())
    assert report["set_names"] == ["gold"] and report["sets"]["gold"]["config"]["questions"] == 2
    assert report["sets"]["gold"]["config"]["collection"].endswith("_eval")  # the eval collection
    # the default thresholds file has no [gold] section: reported, not gated, and said so
    assert report["gate"]["gated_sets"] == [] and report["sets"]["gold"]["gate"] is None
    assert "set gold: no thresholds for it" in result.output
    assert result.exit_code == 0, result.output


def test_ids_option_asks_only_those_questions(eval_store, tmp_path) -> None:
    """--ids re-asks a few questions (ranges of one prefix expanded) on every set it names; a set with
    none of them is skipped with a note, and ids found in no set are named."""
    out = tmp_path / "r"
    result = invoke(eval_store, ["--ids", "d01-d02,c04", "--ids", "d999", "--split", "dev,test",
                                 "--no-baseline", "--no-gate", "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    asked = {name: [q["id"] for q in s["questions"]["corridor"]] for name, s in report["sets"].items()}
    assert asked == {"dev": ["d01", "d02"], "test": ["c04"]}
    assert all(q["answer"] for qs in report["sets"].values() for q in qs["questions"]["corridor"])
    assert "1 of the ids asked for are in no set run: d999" in result.output
    only = tmp_path / "only"
    result = invoke(eval_store, ["--ids", "c04", "--split", "dev,test", "--no-baseline", "--no-gate",
                                 "--out", str(only)])
    assert json.loads((only / "report.json").read_text())["set_names"] == ["test"]
    assert "set dev skipped: no questions with the ids asked for" in result.output


def test_jobs_give_the_same_answers(eval_store, tmp_path) -> None:
    """--jobs 3 asks three questions at once: every answer, citation and score is what one at a time gives,
    in the questions' order (a follow-up's earlier turns stay in its own thread), baseline included."""
    reports = {}
    for jobs in (1, 3):
        out = tmp_path / f"jobs{jobs}"
        result = invoke(eval_store, ["--ids", "d01-d08,f01-f03,o01-o03", "--split", "dev,test", "--no-gate",
                                     "--out", str(out), "--jobs", str(jobs)])
        assert result.exit_code == 0, result.output
        reports[jobs] = json.loads((out / "report.json").read_text())
    for name, s in reports[1]["sets"].items():
        for system, rows in s["questions"].items():
            other = reports[3]["sets"][name]["questions"][system]
            assert [r["id"] for r in other] == [r["id"] for r in rows]
            for a, b in zip(rows, other, strict=True):
                same = ("answer", "citations", "metrics")
                assert [b[key] for key in same] == [a[key] for key in same], a["id"]
    assert sum(len(s["questions"]["corridor"]) for s in reports[3]["sets"].values()) >= 8


def test_against_lists_what_each_question_gained_and_lost_since(eval_store, tmp_path) -> None:
    first = tmp_path / "first"
    invoke(eval_store, ["--ids", "d01-d03", "--split", "dev", "--no-baseline", "--no-gate",
                        "--out", str(first)])
    report = json.loads((first / "report.json").read_text())
    rows = {r["id"]: r for r in report["sets"]["dev"]["questions"]["corridor"]}
    # the earlier run, as a change would have left it: d01 without its evidence, d02 with another answer
    now_d01 = rows["d01"]["metrics"]["evidence_cited"]  # the same code gives the same answer again
    rows["d01"]["metrics"]["evidence_cited"] = 1.0 - now_d01
    rows["d02"]["answer"] = "An older answer."
    (first / "report.json").write_text(json.dumps(report), encoding="utf-8")
    second = tmp_path / "second"
    result = invoke(eval_store, ["--ids", "d01-d04", "--split", "dev", "--no-baseline", "--no-gate",
                                 "--out", str(second), "--against", str(first)])
    assert result.exit_code == 0, result.output
    assert f"since {first}" in result.output
    assert "dev: 1 of 3 answers changed" in result.output  # d04 was not in the earlier run
    moved = "gained d01" if now_d01 == 1.0 else "lost d01"
    assert f"evidence_cited: +{int(now_d01 == 1.0)} −{int(now_d01 == 0.0)}  {moved}" in result.output
    against = json.loads((second / "report.json").read_text())["against"]
    assert against["report"] == str(first) and against["sets"][0]["answers_changed"] == ["d02"]
    assert against["sets"][0]["compared"] == 3
    html = (second / "report.html").read_text(encoding="utf-8")
    assert f"Since {first}" in html and "dev</b>: 1 of 3 answers changed" in html
    assert ("gained d01" if now_d01 == 1.0 else "lost d01") in html


def test_bad_options_are_one_line_errors(eval_store, tmp_path) -> None:
    for args, message in ((["--mode", "poetry"], "--mode must be one of"),
                          (["--jobs", "0"], "--jobs must be at least 1"),
                          (["--sample", "0"], "--sample must be at least 1"),
                          (["--articles", "0"], "--articles must be at least 1"),
                          (["--kinds", "nonsense"], "no gold questions of kind nonsense"),
                          (["--split", "tset"], "--split tset: unknown set"),
                          (["--gold", str(tmp_path / "x.jsonl"), "--split", "dev"], "not both"),
                          (["--gold", str(tmp_path / "none.jsonl")], "gold file not found"),
                          (["--k", "0"], "--k must be at least 1"),
                          (["--ids", "zz1-zz3"], "no gold question has the id zz1, zz2, zz3"),
                          (["--ids", "fd10-ft20"], "is not a range like fd1364-fd1403"),
                          (["--ids", "d09-d02"], "is not a range like fd1364-fd1403"),
                          (["--against", str(tmp_path / "none")], "--against: no report at"),
                          (["--against", str(tmp_path / "bad.json")], "is not a corridor eval report")):
        (tmp_path / "bad.json").write_text("[1, 2]", encoding="utf-8")
        result = invoke(eval_store, ["--out", str(tmp_path / "x"), *args])
        assert isinstance(result.exception, InputError), result.output
        assert message in str(result.exception)
    assert not (tmp_path / "x").exists()  # nothing ran, nothing written


@pytest.mark.skipif(importlib.util.find_spec("ragas") is not None, reason="ragas is installed here")
def test_ragas_option_explains_what_is_missing(eval_store, tmp_path) -> None:
    result = invoke(eval_store, ["--ragas", "--out", str(tmp_path / "x")])
    assert isinstance(result.exception, InputError)
    assert "pip install ragas" in str(result.exception)
    assert not (tmp_path / "x").exists()

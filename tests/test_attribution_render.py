"""Who said it and when, as the front ends show it: Discord messages within limits and the terminal
(plain when piped), for answers whose statements carry speaker, source and date."""

from __future__ import annotations

import io
import re

from rich.console import Console

from bot.discord_format import CONTENT_LIMIT, answer_messages
from bot.render import answer_json, print_answer, runs
from corridor.records import Answer, Citation, Statement


def citation(n: int) -> Citation:
    return Citation(number=n, doc_id=f"doc-{n}", title=f"Document {n}", url=f"https://example.org/{n}",
                    date="2025-08-04", chunk_id=f"c{n}", start=0, end=40, quote="Passage text. " * 3)


def attributed(n_statements: int = 30) -> Answer:
    labels = [dict(speaker="Engin Ozer", source="News.Az", date="2025-08-04"),
              dict(source="Caspian *Star* @everyone", date="2021-03-02"), dict(source="Wikipedia")]
    statements = [Statement(text=f"Statement {i} says how freight crosses the Caspian Sea and why ports, "
                                 f"railways and customs reforms matter for the route.",
                            citations=[i // 4 % 3 + 1], **labels[i // 4 % 3]) for i in range(n_statements)]
    return Answer(question="q", standalone_question="q", statements=statements,
                  citations=[citation(n) for n in (1, 2, 3)], notes=["As of 2025-08-04: the newest source."])


def test_each_run_of_one_source_opens_a_discord_line_with_who_and_when() -> None:
    answer = attributed()
    messages = answer_messages(answer)
    assert len(messages) >= 2 and all(len(m.content) <= CONTENT_LIMIT for m in messages)
    content = "\n".join(m.content for m in messages if m.content)
    assert "@everyone" not in content and "Caspian \\*Star\\* @\u200beveryone (2021-03-02)" in content
    labelled = re.findall(r"^\*\*(.+?):\*\* Statement (\d+) ", content, re.M)
    assert [int(i) for _, i in labelled] == list(range(0, 30, 4))  # a label where the source changes
    assert labelled[0][0] == "Engin Ozer (News.Az, 2025-08-04)" and labelled[2][0] == "Wikipedia"
    found = [int(i) for i in re.findall(r"Statement (\d+) says", content)]
    assert found == list(range(30))  # nothing lost, nothing reordered
    assert all(re.search(r"\[\d\]$", line) for line in content.splitlines() if not line.startswith("*As"))
    assert content.splitlines()[-1] == "*As of 2025-08-04: the newest source.*"


def test_the_terminal_names_each_source_once_per_run_and_the_json_keeps_the_prose() -> None:
    answer = attributed(8)
    buf = io.StringIO()
    print_answer(answer, Console(file=buf, width=100))
    lines = buf.getvalue().splitlines()
    assert lines[0].startswith("Engin Ozer (News.Az, 2025-08-04): Statement 0 ") and lines[0].endswith("[1]")
    assert lines[1].startswith("Caspian *Star* @everyone (2021-03-02): Statement 4 ")
    assert "Statement 3" in lines[0] and "Statement 4" not in lines[0]
    assert [label for label, _ in runs(answer)] == ["Engin Ozer (News.Az, 2025-08-04)",
                                                    "Caspian *Star* @everyone (2021-03-02)"]
    out = answer_json(answer)
    assert out["answer"] == answer.text and "Engin Ozer" not in out["answer"]
    assert out["statements"][0]["speaker"] == "Engin Ozer" and out["statements"][4]["date"] == "2021-03-02"


def test_an_answer_without_attribution_renders_as_before() -> None:
    answer = Answer(question="q", standalone_question="q",
                    statements=[Statement(text="One.", citations=[1]), Statement(text="Two.", citations=[1])],
                    citations=[citation(1)])
    [message] = answer_messages(answer)
    assert message.content == answer.text == "One. [1] Two. [1]"
    buf = io.StringIO()
    print_answer(answer, Console(file=buf, width=100))
    assert buf.getvalue().splitlines()[0] == "One. [1] Two. [1]"

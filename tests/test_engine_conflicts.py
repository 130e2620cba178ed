"""Two reports that give different figures for the same thing, or one that denies what the other states,
through the real pipeline (real embeddings, embedded Chroma): the answer shows both, each with its source and
date, even when the second report's sentence repeats most of the first one's words."""

from __future__ import annotations

from answering.extractive import repeats
from tests.conftest import engine_fixture

FIRST = ("Around 4,000 competitors are expected at the Steppe Games in Astana, and about 1,000 volunteers "
         "are to be involved in running them.")
DOCS = {
    "games-january.md": ("Astana prepares for the Steppe Games", "Steppe Post", None, "2024-01-20",
                         FIRST + " The opening ceremony will take place at the city's new hippodrome."),
    "games-august.md": ("President inspects the Steppe Games venues", "Asia Wire", None, "2024-08-20",
                        "The president inspected the venues of the Steppe Games on Monday. The Steppe Games "
                        "will be supported by 1,500 volunteers. Tickets for the finals go on sale in July."),
    "grain-notes.md": ("Notes on the grain trade", "Corridor Desk", None, "2024-03-01",
                       "Kazakhstan exports most of its wheat to Central Asia and Afghanistan. Grain moves by "
                       "rail to the Caspian ports of Aktau and Kuryk."),
    "fleet-2022.md": ("Caspian shipping plans", "Harbour Review", None, "2022-07-12",
                      "Officials in Aktau described the country's plans for Caspian shipping. Steppeland "
                      "also has a merchant fleet of its own. Two more bulk carriers are to enter service."),
    "fleet-2024.md": ("A shipyard for the Caspian", "Port Daily", None, "2024-12-26",
                      "The transport minister spoke at a forum in Aktau on Thursday. He said that a serious "
                      "problem for Steppeland is that it still has no merchant fleet of its own. A shipyard "
                      "is planned near the port."),
}


engine = engine_fixture("conflicts", DOCS)


def test_a_sentence_with_another_figure_is_not_a_repeat() -> None:
    assert repeats(FIRST.replace("Around", "About"), FIRST)  # the same claim, another chunk's wording
    assert not repeats("The Steppe Games will be supported by 1,500 volunteers.", FIRST)  # another claim
    assert not repeats("Grain moves by rail to the Caspian ports of Aktau and Kuryk.", FIRST)
    has = "Steppeland also has a merchant fleet of its own."
    assert not repeats("Steppeland still has no merchant fleet of its own.", has)  # it denies the claim
    assert not repeats("Steppeland doesn't have a merchant fleet of its own.", has)
    assert repeats("Steppeland has a merchant fleet of its own.", has)


def test_a_sentence_about_other_people_is_not_a_repeat() -> None:
    """Two chairmen of one cabinet, a year apart: the newer one is another claim, shown beside the first."""
    older = ("The meeting was co-chaired by Akylbek Japarov, Chairman of the Cabinet of Ministers of "
             "Kyrgyzstan, and Cevdet Yılmaz, Vice President of Türkiye.")
    newer = ("The meeting in Bishkek was held by Adylbek Kasymaliev, Chairman of the Cabinet of Ministers of "
             "Kyrgyzstan, and Cevdet Yılmaz, Vice President of Türkiye.")
    assert not repeats(newer, older)
    assert repeats(older.replace("co-chaired", "chaired"), older)  # the same people
    assert repeats("Tokayev said trade would grow.", "President Kassym-Jomart Tokayev said trade would grow.")


def test_both_reports_figures_are_shown_with_their_sources(engine) -> None:
    answer = engine.ask("How many volunteers will help run the Steppe Games?")
    assert not answer.abstained, answer.notes
    figures = ("1,000 volunteers", "1,500")
    by_figure = {fig: [s for s in answer.statements if fig in s.text] for fig in figures}
    assert by_figure["1,000 volunteers"] and by_figure["1,500"], answer.text
    assert by_figure["1,000 volunteers"][0].attribution == "Steppe Post (2024-01-20)"
    assert by_figure["1,500"][0].attribution == "Asia Wire (2024-08-20)"


def test_a_report_that_denies_the_other_is_shown_beside_it(engine) -> None:
    answer = engine.ask("Does Steppeland have a merchant fleet of its own?")
    assert not answer.abstained, answer.notes
    has = [s for s in answer.statements if "also has a merchant fleet" in s.text]
    has_not = [s for s in answer.statements if "still has no merchant fleet" in s.text]
    assert has and has_not, answer.text
    assert has[0].attribution == "Harbour Review (2022-07-12)"
    assert has_not[0].attribution == "Port Daily (2024-12-26)"

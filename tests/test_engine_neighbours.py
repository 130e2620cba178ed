"""The sentences next to an answer's opening, through the real pipeline (real embeddings, embedded Chroma):
an opening that names its speaker only as "he" or "she" ("In his view, …"), or only by a post ("The
ambassador noted …"), is followed by the nearest sentence before it that names the speaker, in its own chunk
or, when "He said …" opens a chunk, in the chunk before; a next sentence that goes on about what the opening
named ("Its main advantage …") is quoted too."""

from __future__ import annotations

from tests.conftest import engine_fixture

NAMING = ("Aidarbek Saparov, Kazakhstan's Minister of Agriculture, spoke at the opening of a greenhouse "
          "complex in Shymkent.")
SAID = "Kazakhstan is carrying out 14 projects with Turkish investors, worth $1.1 billion in total, he said."
TOKAYEV = "Kassym-Jomart Tokayev spoke of the need to step up cooperation between Turkic universities."
PROPOSED = "He proposed setting up an educational fund called Great Steppe to pay for student exchanges."
HUB = "Karabayev described Aktau airport as a promising multimodal aviation hub for the Caspian region."
ADVANTAGE = "Its main advantage is that every type of transport can reach it, and Europe lies close by."
MASIMOV = "Emil Masimov, who chairs the board of AzerTelecom, went on board the survey vessel Turkan."
FAST = "He said work on the fibre-optic cable across the sea was moving fast."
KEY = "He said the cable would make the Caspian Sea a key part of the world's digital infrastructure."
KASSEINOV = "Kasseinov stressed that the poet's maxims embody the spirit of the Turkic peoples."
WISDOM = "Wisdom and virtue, he went on, form the essence of the poet's philosophy."
# Two paragraphs too long for one chunk: "He said …" opens the second chunk, and the speaker is named at the
# end of the first (no overlap: the first paragraph is longer than the chunks' overlap).
PORT_FILLER = ("The Kazakh port of Kuryk handled more cargo this year than in any year before. Its ferry "
               "terminal was enlarged in the spring, and a second berth opened in June. Trucks from China "
               "and Uzbekistan now queue there for the crossing to Alat. Kuryk lies about 70 kilometres "
               "south-east of Aktau on the Caspian shore.")
BAIMUKHANOV = "Nurlan Baimukhanov, the director of the port, spoke to reporters at the terminal on Monday."
BERTHS = "He said the port would add three more berths for container ferries by the end of 2027."
BERTHS_REST = ("Work on the first of them is to start in the autumn, once the dredging of the approach "
               "channel is finished. The new berths are to double the port's capacity for containers and cut "
               "the time a ferry waits at anchor. Investors from the Gulf have shown interest in the "
               "project, the press office of the port added later in the week.")
SPEECH = "Dana Abenova, the deputy mayor of Shymkent, gave the welcoming speech at the festival."
RECALLED = "She recalled that the city had first hosted Turkish theatre troupes in 1995."
PUPPETS = "She added that a puppet theatre from Bursa would tour the region's schools next spring."
BEKETOV = "Ruslan Beketov congratulated the delegation on the opening of the new consulate in Shymkent."
POINTING = "Pointing to the growth of trade, he said the two cities could work together in tourism."
UMBRELLA = "The twinning council, he said, is an umbrella body for the cities' cultural exchanges."
BRIDGE = "He said the bridge over the Ural river in Atyrau would open to traffic in the summer."
ENVOY = "Against this background Temirkhan stressed the weight of the new ferry line to Baku."
VIEW = "In his view, the old caravanserai in Shymkent should become a museum of the Silk Road."
LIBRARY = "Aliya Temirova praised the new public library in Aktobe at its opening."
SUNDAYS = "The deputy minister added that the library would open on Sundays."
EBOOKS = "She said the library would lend e-books to every school in the region."
NOTED = "The ambassador also noted that talks on exporting wind power across the Caspian had picked up."
DOCS = {
    "twinning.md": ("Twin cities meet", "Asia Wire", None, "2023-10-02", f"{BEKETOV} {POINTING} {UMBRELLA}"),
    "festival.md": ("A theatre festival in Shymkent", "Steppe Post", None, "2024-05-12",
                    f"The festival opened on Friday. {SPEECH} {RECALLED} {PUPPETS}"),
    "library.md": ("A library for Aktobe", "Steppe Post", None, "2024-09-03",
                   f"{LIBRARY} {SUNDAYS} {EBOOKS}"),
    "envoy.md": ("An envoy's priorities", "Caspian Wire", None, "2024-03-20",
                 f"The expert council met in Baku on Tuesday. {ENVOY} {VIEW}\n\n{NOTED}"),
    "bridge.md": ("A new bridge for Atyrau", "Steppe Post", "Aigerim Sadykova", "2025-02-02",
                  f"{BRIDGE} The bridge is 400 metres long and has four lanes."),
    "kuryk.md": ("Kuryk port to grow", "Caspian Wire", None, "2025-11-20",
                 f"{PORT_FILLER} {BAIMUKHANOV}\n\n{BERTHS} {BERTHS_REST}"),
    "greenhouse.md": ("A greenhouse complex opens in Shymkent", "Steppe Post", None, "2025-04-10",
                      f"{NAMING} {SAID} The complex will grow tomatoes and cucumbers all year round."),
    "summit.md": ("An online summit of the Turkic Council", "Asia Wire", None, "2021-03-31",
                  f"{TOKAYEV}\n\n## A fund for universities\n\n{PROPOSED}"),
    "airport.md": ("Aktau airport's plans", "Steppe Post", None, "2025-06-01",
                   f"{HUB} {ADVANTAGE} The airport handled 1.2 million passengers last year."),
    "cable.md": ("A survey ship for the Caspian cable", "Caspian Wire", None, "2024-09-02",
                 f"{MASIMOV} {FAST} {KEY}"),
    "poet.md": ("A poet remembered in Edirne", "Asia Wire", None, "2021-01-14",
                f"The university opened a corner devoted to the poet. {KASSEINOV} {WISDOM}"),
    "grain-notes.md": ("Notes on the grain trade", "Corridor Desk", None, "2024-03-01",
                       "Kazakhstan exports most of its wheat to Central Asia and Afghanistan. Grain moves by "
                       "rail to the Caspian ports of Aktau and Kuryk. Turkish millers buy Kazakh wheat."),
}


engine = engine_fixture("speakers", DOCS)


def test_a_he_said_opening_is_followed_by_the_sentence_naming_him(engine) -> None:
    answer = engine.ask("Who said that Kazakhstan has 14 projects with Turkish investors?")
    assert not answer.abstained, answer.notes
    texts = [s.text for s in answer.statements]
    assert texts[0] == SAID, texts  # the sentence that answers opens …
    assert texts[1] == NAMING, texts  # … and the one that says who "he" is comes next, from the same source
    assert answer.statements[0].citations == answer.statements[1].citations
    assert "Saparov" in answer.text


def test_a_heading_between_is_not_taken_for_the_sentence_naming_him(engine) -> None:
    """A section heading stands between the sentence naming the speaker and the one saying "He proposed …":
    the heading is skipped, never quoted as a sentence."""
    answer = engine.ask("Who proposed an educational fund called Great Steppe?")
    assert not answer.abstained, answer.notes
    texts = [s.text for s in answer.statements]
    assert texts[:2] == [PROPOSED, TOKAYEV], texts
    assert not any(t.startswith("#") or "A fund for universities" in t for t in texts), texts


def test_the_sentence_naming_him_is_found_past_others_that_say_only_he(engine) -> None:
    """"Masimov went on board … He said … He said …": the opening's speaker is named two sentences back."""
    answer = engine.ask("Who said the cable would make the Caspian Sea a key part of the world's digital "
                        "infrastructure?")
    assert not answer.abstained, answer.notes
    texts = [s.text for s in answer.statements]
    assert texts[:2] == [KEY, MASIMOV], texts
    assert FAST not in texts[:2], texts


def test_a_speaker_named_only_as_he_went_on_is_named(engine) -> None:
    answer = engine.ask("Who said that wisdom and virtue form the essence of the poet's philosophy?")
    assert not answer.abstained, answer.notes
    texts = [s.text for s in answer.statements]
    assert texts[:2] == [WISDOM, KASSEINOV], texts


def test_a_next_sentence_that_goes_on_about_the_opening_is_quoted(engine) -> None:
    answer = engine.ask("How did Karabayev describe Aktau airport?")
    assert not answer.abstained, answer.notes
    texts = [s.text for s in answer.statements]
    assert texts[:2] == [HUB, ADVANTAGE], texts


def test_a_he_said_opening_a_chunk_is_named_from_the_chunk_before(engine) -> None:
    """"He said …" is the first sentence of its chunk: the sentence naming him ends the chunk before, which
    is fetched from the store and cited as its own passage."""
    answer = engine.ask("Who said the port of Kuryk would add three more berths for container ferries by "
                        "2027?")
    assert not answer.abstained, answer.notes
    texts = [s.text for s in answer.statements]
    assert texts[:2] == [BERTHS, BAIMUKHANOV], texts
    first, second = answer.statements[0].citations, answer.statements[1].citations
    assert first != second, "two chunks, two citations"
    quotes = {c.number: c.quote for c in answer.citations}
    assert quotes[first[0]].startswith(BERTHS) and BAIMUKHANOV in quotes[second[0]]
    assert "Baimukhanov" in answer.text


def test_the_chunk_before_is_the_same_versions_previous_one(engine) -> None:
    store = engine.retriever.store
    chunks = sorted(store.iter_records(), key=lambda r: r[0].ordinal)
    kuryk = [(c, d) for c, d in chunks if d.title == "Kuryk port to grow" and c.kind is None]
    second = next((c, d) for c, d in kuryk if c.text.startswith(BERTHS))
    before = store.chunk_before(*second)
    assert before is not None and before[0].ordinal == second[0].ordinal - 1
    assert before[0].text.rstrip().endswith(BAIMUKHANOV) and before[1].doc_id == second[1].doc_id
    first = min(kuryk, key=lambda r: r[0].ordinal)
    assert store.chunk_before(first[0].model_copy(update={"ordinal": 0}), first[1]) is None
    other = second[1].model_copy(update={"content_hash": "another version"})
    assert store.chunk_before(second[0], other) is None  # never a chunk of another version


def test_the_facts_block_before_the_body_is_not_taken_for_the_speaker(engine) -> None:
    """"He said …" opens the body, and the chunk before is the document's facts block (byline, publisher,
    date): no line of it is quoted as the sentence naming him."""
    answer = engine.ask("Who said the bridge over the Ural river in Atyrau would open to traffic in the "
                        "summer?")
    assert not answer.abstained, answer.notes
    texts = [s.text for s in answer.statements]
    assert texts[0] == BRIDGE, texts
    assert not any("Sadykova" in t or "Steppe Post" in t or "2025" in t for t in texts), texts


def test_a_speaker_introduced_by_name_and_post_is_the_one_named(engine) -> None:
    """"Abenova, the deputy mayor, gave the welcoming speech. She recalled …. She added …": the sentence that
    introduces her by name and post names the speaker, whatever its verb."""
    answer = engine.ask("Who added that a puppet theatre from Bursa would tour the region's schools?")
    assert not answer.abstained, answer.notes
    texts = [s.text for s in answer.statements]
    assert texts[:2] == [PUPPETS, SPEECH], texts


def test_a_sentence_saying_he_said_mid_sentence_is_passed_over(engine) -> None:
    """"Beketov congratulated …. Pointing to …, he said …. The council, he said, is …": the sentence just
    before says only "he" too, so the one that names Beketov, by any past-tense verb, is quoted."""
    answer = engine.ask("Who said the twinning council is an umbrella body for the cities' cultural "
                        "exchanges?")
    assert not answer.abstained, answer.notes
    texts = [s.text for s in answer.statements]
    assert texts[:2] == [UMBRELLA, BEKETOV], texts


def test_a_speaker_named_only_by_a_post_is_named(engine) -> None:
    """"Temirkhan stressed …. The ambassador also noted …": the sentence before names him."""
    answer = engine.ask("Who noted that talks on exporting wind power across the Caspian had picked up?")
    assert not answer.abstained, answer.notes
    texts = [s.text for s in answer.statements]
    assert texts[:2] == [NOTED, ENVOY], texts


def test_a_view_given_only_as_his_is_named(engine) -> None:
    """"Temirkhan stressed …. In his view, …": the sentence before names whose view it is."""
    answer = engine.ask("Who thinks the old caravanserai in Shymkent should become a Silk Road museum?")
    assert not answer.abstained, answer.notes
    texts = [s.text for s in answer.statements]
    assert texts[:2] == [VIEW, ENVOY], texts


def test_a_sentence_naming_its_speaker_only_by_a_post_is_passed_over(engine) -> None:
    """"Temirova praised …. The deputy minister added …. She said …": the sentence just before names her only
    by her post, so the one that names her is quoted."""
    answer = engine.ask("Who said the library would lend e-books to every school in the region?")
    assert not answer.abstained, answer.notes
    texts = [s.text for s in answer.statements]
    assert texts[:2] == [EBOOKS, LIBRARY], texts


def test_a_he_said_statement_shows_the_speaker_named_before(engine) -> None:
    """Who said it: "…, he said." is attributed to the man the sentence before names as speaking, with the
    publisher and date after his name; the answer's text is what it was."""
    answer = engine.ask("Who said that Kazakhstan has 14 projects with Turkish investors?")
    first = answer.statements[0]
    assert first.text == SAID
    assert first.speaker == "Aidarbek Saparov", first
    assert first.attribution == "Aidarbek Saparov (Steppe Post, 2025-04-10)"


def test_a_speaker_named_in_the_chunk_before_is_shown_for_he_said(engine) -> None:
    answer = engine.ask("Who said the port of Kuryk would add three more berths for container ferries by "
                        "2027?")
    assert answer.statements[0].text == BERTHS
    assert answer.statements[0].speaker == "Nurlan Baimukhanov"


def test_a_he_said_after_a_sentence_on_something_else_keeps_the_publisher(engine) -> None:
    """"Masimov … went on board …. He said …. He said …": no sentence before says Masimov is speaking, so the
    statement keeps the publisher alone rather than guess."""
    answer = engine.ask("Who said the cable would make the Caspian Sea a key part of the world's digital "
                        "infrastructure?")
    assert answer.statements[0].text == KEY
    assert answer.statements[0].speaker is None
    assert answer.statements[0].attribution == "Caspian Wire (2024-09-02)"


PROJECTS = "How many projects is Kazakhstan carrying out with Turkish investors?"


def _llm_answer(engine, sentence: str, question: str = PROJECTS):
    """The answer of an llm-mode engine over the same store, whose model (a fake endpoint) replies
    `sentence` citing the passage with the 14 projects."""
    from answering.engine import Engine
    from tests.fake_llm import FakeLLM, passages_in

    def reply(messages) -> str:
        n = next(n for n, text in passages_in(messages).items() if "14 projects" in text)
        return f"{sentence} [{n}]"

    with FakeLLM(reply) as fake:  # the engine is made once the fake serves: its port is known then
        settings = engine.settings.model_copy(update={"answer_mode": "llm", "llm_base_url": fake.base_url,
                                                      "llm_timeout_s": 60.0})
        answer = Engine(settings, engine.store).ask(question)
    assert answer.mode == "llm" and not answer.abstained, answer.notes
    return answer


def test_a_model_restating_a_he_said_sentence_shows_its_speaker(engine) -> None:
    """llm mode: a sentence the model wrote in its own words gets the speaker of the source sentence it
    restates, read from the source (Saparov, named the sentence before), not from the model's text, which
    names someone else here."""
    answer = _llm_answer(engine, "Tokayev said Kazakhstan is carrying out 14 projects with Turkish "
                                 "investors, worth $1.1 billion in all.")
    first = answer.statements[0]
    assert first.text.startswith("Tokayev said Kazakhstan is carrying out 14 projects"), first
    assert first.speaker == "Aidarbek Saparov", first


def test_a_model_sentence_no_source_sentence_backs_keeps_the_publisher(engine) -> None:
    """A model's sentence pieced together from a whole passage, which no one sentence of it backs, names no
    speaker: the publisher and date stand alone."""
    answer = _llm_answer(engine, "A greenhouse complex in Shymkent will grow tomatoes, and Turkish investors "
                                 "have projects.")
    assert answer.statements[0].speaker is None, answer.statements[0]
    assert answer.statements[0].attribution == "Steppe Post (2025-04-10)"

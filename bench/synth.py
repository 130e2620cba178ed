"""Reproducible synthetic corpora: Markdown files with front matter, ~20 chunks each, no verbatim repeats.

Every paragraph (one chunk at the default 700-character chunk size) is composed from sentence templates
filled with seeded random names, places, organisations, goods, years and figures, so BM25 sees a realistic
vocabulary and the de-duplication never finds two equal texts. Each corpus also yields questions whose
answer is one generated sentence (with the document it lives in), so the answer path runs in full.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass
from pathlib import Path

CHUNKS_PER_DOC = 20


def _words(text: str, sep: str | None = None) -> list[str]:
    """A word list written as text (easier to read and extend than a list literal)."""
    return text.split(sep)


FIRST = _words(
    "Aigerim Asel Aydin Baurzhan Cemal Dana Elif Emre Farida Gulnara Hakan Ilyas Irina Kemal Leyla "
    "Murat Nurlan Oksana Orhan Pavel Rustam Saule Selin Serik Tamara Timur Ufuk Vera Yerlan Zeynep "
    "Arman Berik Dilnaz Eldar Fatma Galym Huseyin Inara Jamila Kanat Lale Madina Nazim Ozan Piotr "
    "Ramil Sabina Talgat Umut Vusal Yasemin Zarina Anton Bahar Cansu Davud Erlan Filiz Gaukhar"
)
LAST = _words(
    "Abenov Akin Aliyev Baysal Demir Dosanov Ergin Gasimov Ibraimov Kaya Kuanyshev Mammadov Nurpeisov "
    "Ozturk Petrov Rahimov Sadykov Sahin Tokmagambetov Usenov Yildiz Zhaksybekov Arslan Bekov Celik "
    "Dzhaksybaev Erdem Gurbanov Huseynov Iskakov Jumabayev Karimov Levent Musayev Nazarbekov Orazov "
    "Polat Qasimov Rustemov Suleimenov Tasbolatov Umarov Veliyev Yusupov Zhumabekov Aksoy Bozkurt "
    "Cetin Dogan Eren Guler Isik Kilic Koc Ozdemir Simsek Tekin Unal Yavuz"
)
PLACES = _words(
    "Aktau Almaty Ankara Astana Atyrau Baku Batumi Bursa Istanbul Izmir Kars Konya Kostanay Kyzylorda "
    "Mersin Pavlodar Poti Samsun Shymkent Tbilisi Trabzon Turkestan Turkmenbashi Uralsk "
    "Ust-Kamenogorsk Karaganda Taraz Semey Petropavl Zhezkazgan Kayseri Gaziantep Adana Erzurum "
    "Nakhchivan Ganja Sumqayit Kutaisi Rustavi Tashkent Samarkand Bukhara Navoi Termez Ashgabat Mary "
    "Khorgos Urumqi Lanzhou Xian Constanta Varna Burgas Odesa Novorossiysk Derbent Makhachkala Aktobe "
    "Oral"
)
ORGS = _words(
    "the Caspian Freight Council|the Turkic Trade Bureau|the Middle Corridor Alliance|"
    "the Eurasian Logistics Forum|the Steppe Investment Fund|the Anatolian Export Board|"
    "the Grain Exchange of the Steppe|the Black Sea Shipping Registry|the Regional Rail Consortium|"
    "the Central Asian Energy Agency|the Joint Customs Commission|the Port Development Authority|"
    "the Transit Insurance Pool|the Silk Road Chamber of Commerce|the Agricultural Credit Union|"
    "the Pipeline Operators Group|the Container Terminal Cooperative|the Digital Customs Office|"
    "the Ferry Operators Association|the Mining Ministry|the Ministry of Transport|"
    "the National Statistics Office|the Central Bank",
    "|",
)
GOODS = _words(
    "wheat barley cotton copper zinc uranium coal crude-oil natural-gas fertiliser steel aluminium "
    "sunflower-oil lentils flour cement textiles machinery pharmaceuticals electronics lumber glass "
    "wool leather tea dried-fruit hazelnuts tomatoes lemons automobiles tractors rails containers "
    "diesel jet-fuel polyethylene sulphur manganese chromium titanium silver gold"
)
TOPICS = (
    "rail freight",
    "ferry capacity",
    "customs clearance",
    "grain storage",
    "port dredging",
    "tariff harmonisation",
    "insurance premiums",
    "sanctions compliance",
    "energy transit",
    "border crossings",
    "digital waybills",
    "warehouse construction",
    "container shortages",
    "currency settlement",
    "labour migration",
    "water allocation",
    "drone procurement",
    "university exchanges",
    "tourism visas",
    "airline routes",
    "power interconnection",
    "fibre-optic cables",
    "seed certification",
    "livestock exports",
    "mineral exploration",
    "road tolls",
    "pipeline maintenance",
    "icebreaker charters",
    "bond issuance",
    "free trade zones",
)
VERBS = ("rose", "fell", "climbed", "dropped", "grew", "shrank", "increased", "decreased")
MONTHS = _words("January February March April May June July August September October November December")


@dataclass
class Question:
    question: str
    doc_id: str
    answer: str  # the sentence that answers it


class _Writer:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)

    def pick(self, seq):
        return self.r.choice(seq)

    def name(self) -> str:
        return f"{self.pick(FIRST)} {self.pick(LAST)}"

    def good(self) -> str:
        return self.pick(GOODS).replace("-", " ")

    def sentence(self) -> tuple[str, str | None]:
        """One sentence, and a question it answers (or None)."""
        r = self.r
        who, where, org, good, topic = (
            self.name(),
            self.pick(PLACES),
            self.pick(ORGS),
            self.good(),
            self.pick(TOPICS),
        )
        year, pct, qty = r.randint(1995, 2026), round(r.uniform(0.5, 60), 1), r.randint(2, 950)
        month, verb, other = self.pick(MONTHS), self.pick(VERBS), self.pick(PLACES)
        kind = r.randrange(10)
        if kind == 0:
            return (
                f"{who} of {org} said exports of {good} from {where} {verb} by {pct} percent in {year}.",
                f"By how much did exports of {good} from {where} change in {year}, according to {who}?",
            )
        if kind == 1:
            return (
                f"In {month} {year}, {org} opened a terminal in {where} able to handle {qty} thousand "
                f"tonnes of {good} a year.",
                f"How much {good} can the terminal {org} opened in {where} in {year} handle?",
            )
        if kind == 2:
            return (
                f"The line between {where} and {other} carried {qty} thousand containers in {year}, "
                f"{who} told reporters.",
                f"How many containers did the line between {where} and {other} carry in {year}?",
            )
        if kind == 3:
            return (
                f"{who} argued that {topic} in {where} would decide whether {good} shipments reach "
                f"{other} on time.",
                f"What did {who} say would decide whether {good} shipments from {where} reach {other}?",
            )
        if kind == 4:
            return (
                f"{org} estimated the cost of {topic} around {where} at {qty} million dollars.",
                f"What did {org} estimate the cost of {topic} around {where} to be?",
            )
        if kind == 5:
            return (f"Since {year}, {where} has relied on {other} for {pct} percent of its {good}.", None)
        if kind == 6:
            return (
                f"Delegates from {where} and {other} met in {month} to discuss {topic} and {good} quotas.",
                None,
            )
        if kind == 7:
            return (f"According to {who}, {topic} remains the main obstacle for traders in {where}.", None)
        if kind == 8:
            return (f"A report by {org} counted {qty} companies in {where} working on {topic}.", None)
        return (f"Prices of {good} in {where} {verb} {pct} percent after {topic} changed in {year}.", None)

    def paragraph(self, budget: int = 500) -> tuple[str, list[tuple[str, str]]]:
        out: list[str] = []
        asks: list[tuple[str, str]] = []
        while sum(len(s) + 1 for s in out) < budget:
            text, q = self.sentence()
            text = text[0].upper() + text[1:]
            out.append(text)
            if q:
                asks.append((q, text))
        return " ".join(out), asks


def write_corpus(folder: Path, n_chunks: int, seed: int = 6, n_questions: int = 40) -> list[Question]:
    """Write ceil(n_chunks / 20) Markdown documents into folder (if not already there) and return questions.

    The corpus and questions depend only on (n_chunks, seed); a complete earlier run is reused."""
    done = folder / "questions.json"
    if done.exists():
        return [Question(**q) for q in json.loads(done.read_text())]
    folder.mkdir(parents=True, exist_ok=True)
    docs = folder / "docs"
    docs.mkdir(exist_ok=True)
    w = _Writer(seed)
    n_docs = max(1, -(-n_chunks // CHUNKS_PER_DOC))
    pool: list[Question] = []
    for d in range(n_docs):
        doc_id = f"synth-{d:06d}"
        paras: list[str] = []
        for _ in range(CHUNKS_PER_DOC):
            text, asks = w.paragraph()
            paras.append(text)
            pool.extend(Question(q, doc_id, a) for q, a in asks)
        title = f"{w.pick(TOPICS).capitalize()} in {w.pick(PLACES)}: report {d}"
        front = (
            f'---\ntitle: "{title}"\nauthor: {w.name()}\npublisher: Synthetic Bench Press\n'
            f"date: {w.r.randint(2000, 2025)}-{w.r.randint(1, 12):02d}-{w.r.randint(1, 28):02d}\n"
            f"licence: CC0\n---\n\n"
        )
        (docs / f"{doc_id}.md").write_text(front + "\n\n".join(paras) + "\n", encoding="utf-8")
    questions = random.Random(seed + 1).sample(pool, min(n_questions, len(pool)))
    done.write_text(json.dumps([asdict(q) for q in questions], indent=0))
    return questions

"""The English questions of the tuning sets, each with the engine on its set's eval store and its earlier
turns: what the study scripts (answerability_cv.py, reader_cv.py) walk through. Test and fresh are never
read."""

from __future__ import annotations

from collections.abc import Iterator


def tuning_questions(sets: tuple[str, ...] = ("dev", "fresh-dev")) -> Iterator[tuple]:
    """(engine, item, history) for every question of `sets` but the multilingual ones: the engine built on
    the set's eval collection (MiniLM, no multilingual lane), the history its earlier user turns as the fits
    read them (fit_ranker.earlier_turns)."""
    from fit_ranker import earlier_turns  # scripts/ is on the path, as for fit_fusion.py

    from answering.engine import Engine
    from bot.evaluate.sets import SETS, build_set_store, set_settings
    from corridor.settings import Settings

    for name in sets:
        eval_set = SETS[name]
        built = build_set_store(set_settings(Settings(multilingual_lane=False), eval_set), eval_set)
        engine = Engine(built.settings, built.store)
        for item in eval_set.load():
            if item.kind == "multilingual":
                continue
            yield engine, item, earlier_turns(item)

"""The textbook naive LangChain RAG, for comparison: dense top-4 from the same Chroma collection,
answer = the top passage's text, cited to that passage. It never abstains and ignores the conversation."""

from __future__ import annotations

import time

from corridor.records import Answer, Citation, Passage, Statement
from vectorstore.store import records_from

TOP_K = 4


class NaiveRAG:
    """`store.langchain.similarity_search(question, k=4)`, top passage as the answer."""

    name = "baseline"

    def __init__(self, store) -> None:
        self.store = store

    def ask(self, question: str) -> tuple[Answer, list[Passage]]:
        """The answer and the passages it retrieved (best first); latency_ms is set on the answer."""
        t0 = time.perf_counter()
        docs = self.store.langchain.similarity_search(question, k=TOP_K)
        passages = []
        for rank, d in enumerate(docs, 1):
            chunk, meta = records_from(d.metadata.get("chunk_id") or d.id, d.page_content, d.metadata)
            passages.append(Passage(chunk=chunk, doc=meta, score=1.0 / rank, rank=rank))
        if passages:
            top = passages[0]
            answer = Answer(question=question, standalone_question=question, mode="baseline",
                            statements=[Statement(text=top.chunk.text, citations=[1])],
                            citations=[Citation.from_passage(1, top)])
        else:
            answer = Answer(question=question, standalone_question=question, mode="baseline")
        answer.latency_ms = round((time.perf_counter() - t0) * 1000, 1)
        return answer, passages

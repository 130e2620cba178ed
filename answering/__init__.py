"""The answering core: passages in, an Answer with verified, attributed, dated citations out.

Question handling (`question`), coverage checks (`coverage`), sentence selection (`extractive`), an LLM
writer (`llm`), citation checks (`citations`) and the `Engine` that ties them to retrieval (`engine`).
Nothing here knows about Discord or the terminal: front ends in `bot/` only render an `Answer`.
"""

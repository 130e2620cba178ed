"""corridor: cited-passage Q&A over regional analyses.

The shared kernel: one settings object (`corridor.settings`) and the typed records every stage speaks
(`corridor.records`). Stages live in the top-level packages `ingest`, `vectorstore` and `bot`.
"""

__version__ = "0.1.0"

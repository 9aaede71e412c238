"""The words of the national overview on the home page (nl/en), including the plain-language explanation of what
the knowledge graph is and is not (section ``overview`` of ``kernel/ui_text.py``). The numbers come from ``query.overview.NationalOverview``."""

from __future__ import annotations

from types import MappingProxyType

from dge_graph.kernel.ui_text import LANGUAGES, texts

TEXT = MappingProxyType({lang: texts("overview", lang) for lang in LANGUAGES})
"""The words per language, from the UI-text catalogue (``kernel.ui_text``, section ``overview``)."""

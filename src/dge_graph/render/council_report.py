"""The words of the council report (nl/en, from the UI-text catalogue) and its plain formatting: dates written out
(``kernel.ui_text.long_date``), licences.

The page (``api/templates/council_report.html``) shows a ``query.council_report.CouncilReport``; every number and
date on it comes from that structure, and every sentence from ``TEXT`` here (section ``council-report`` of
``kernel/ui_text.py``).
"""

from __future__ import annotations

from types import MappingProxyType

from dge_graph.kernel.ui_text import LANGUAGES, long_date, texts

__all__ = ["TEXT", "licence_label", "long_date"]

TEXT = MappingProxyType({lang: texts("council-report", lang) for lang in LANGUAGES})
"""The words of the report per language, from the UI-text catalogue (``kernel.ui_text``, section ``council-report``)."""


def licence_label(iri: str) -> str:
    """A licence IRI as people name it (SPDX and Creative Commons IRIs), else the IRI."""
    text = iri.rstrip("/")
    if "spdx.org/licenses/" in text:
        return text.rsplit("/", 1)[-1]
    if "creativecommons.org/publicdomain/zero/" in text:
        return "CC0-" + text.rsplit("/", 1)[-1]
    if "creativecommons.org/licenses/" in text:
        parts = text.split("/licenses/", 1)[1].split("/")
        return f"CC {parts[0].upper()} {parts[1]}" if len(parts) > 1 else f"CC {parts[0].upper()}"
    return iri

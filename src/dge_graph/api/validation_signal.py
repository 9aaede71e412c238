"""How answers that read the stored validation result say which result that is (docs/checks.md, "Report status").

Headers on every such answer (HTML, JSON, CSV, SPARQL results): ``X-Validation-Status`` (``current``, ``stale`` or
``missing``, with the run's IRI, generation time and evaluation date) and, unless current, an RFC 7234
``Warning: 299 - "..."``. HTML pages show the same as a banner (``_validation_banner.html``), JSON bodies of profiles
and comparisons a ``validation`` field (``render/analytics.py``).
"""

from __future__ import annotations

from dge_graph.kernel.ui_text import long_date
from dge_graph.query.validation_status import ValidationStatus


def validation_headers(status: ValidationStatus) -> dict[str, str]:
    headers = {"X-Validation-Status": status.header_value()}
    warning = status.warning()
    if warning is not None:
        headers["Warning"] = warning
    return headers


def banner_context(status: ValidationStatus, lang: str) -> dict:
    """Template variables of ``_validation_banner.html``: the status, what it means, and the run it rests on (its IRI
    for the link, its time and evaluation date written out, its engine)."""
    run = None
    if status.run:
        generated = status.generated_at or ""
        time = f" {generated[11:16]}" if len(generated) >= 16 else ""
        run = {"iri": status.run, "generated": f"{long_date(generated or None, lang)}{time}",
               "evaluation": long_date(status.evaluation_date, lang), "engine": status.engine}
    return {"validation": status.as_dict(), "validation_text": status.message(lang), "validation_run": run}

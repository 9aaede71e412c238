"""How answers that read the stored validation result say which result that is (docs/checks.md, "Report status").

Headers on every such answer (HTML, JSON, CSV, SPARQL results): ``X-Validation-Status`` (``current``, ``stale`` or
``missing``, with the run's IRI, generation time and evaluation date) and, unless current, an RFC 7234
``Warning: 299 - "..."``. HTML pages show the same as a banner (``_validation_banner.html``), JSON bodies of profiles
and comparisons a ``validation`` field (``render/analytics.py``).
"""

from __future__ import annotations

from dge_graph.query.validation_status import ValidationStatus
from dge_graph.render.analytics import validation_line


def validation_headers(status: ValidationStatus) -> dict[str, str]:
    headers = {"X-Validation-Status": status.header_value()}
    warning = status.warning()
    if warning is not None:
        headers["Warning"] = warning
    return headers


def banner_context(status: ValidationStatus, lang: str) -> dict:
    """Template variables of ``_validation_banner.html``."""
    return {"validation": status.as_dict(), "validation_text": validation_line(status.as_dict(), lang)}

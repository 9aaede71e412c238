"""The one colour and label policy for the severities of findings, used by charts, CSS and templates.

A violation and a warning each have one colour, one marker shape and one label per language, here and nowhere else:

* the colours are from the Okabe-Ito palette (Okabe & Ito, *Color Universal Design*, 2008), chosen to stay apart
  for the common forms of colour blindness: vermilion for a violation, orange for a warning, which also differ
  clearly in lightness (so they stay apart in grey scale);
* colour is never the only signal: each severity has a marker shape (a filled square for a violation, a filled
  triangle for a warning) shown next to its label, and the label is always written out;
* the CSS custom properties ``--severity-violation`` / ``--severity-warning`` (``severity_css()``) are what
  ``site.css`` uses, the charts take ``chart_colours()``, the templates ``severity_badge`` / the legend.

Keys are the local names of the SHACL severities (``Violation``, ``Warning``, ``Info``), as the stored report and
the rules use them (``sh:Violation`` -> ``Violation``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType

from markupsafe import Markup, escape

from dge_graph.kernel.ui_text import SEVERITY as SEVERITY_TEXT
from dge_graph.kernel.ui_text import texts

SHACL = "http://www.w3.org/ns/shacl#"


@dataclass(frozen=True)
class Severity:
    code: str  # local name of the sh: severity
    colour: str  # CSS colour, #rrggbb
    marker: str  # a shape that is not colour: shown with the label
    label_nl: str
    label_en: str

    def label(self, lang: str) -> str:
        return self.label_nl if lang == "nl" else self.label_en

    @property
    def css_property(self) -> str:
        return f"--severity-{self.code.lower()}"


SEVERITIES: tuple[Severity, ...] = (
    Severity("Violation", "#D55E00", "\u25a0", *SEVERITY_TEXT["Violation"]),  # Okabe-Ito vermilion, black square
    Severity("Warning", "#E69F00", "\u25b2", *SEVERITY_TEXT["Warning"]),  # Okabe-Ito orange, black up triangle
    Severity("Info", "#0072B2", "\u25cf", *SEVERITY_TEXT["Info"]),  # Okabe-Ito blue, black circle
)
"""Colours and markers here; the labels (nl, en) from the UI-text catalogue (``kernel.ui_text.SEVERITY``)."""
SEVERITY_BY_CODE = MappingProxyType({s.code: s for s in SEVERITIES})
LEGEND_SEVERITIES = ("Violation", "Warning")  # the two the rules use (spec: every rule is one or the other)


def severity_code(value: object) -> str:
    """``sh:Violation``, its full IRI or ``Violation`` -> ``Violation``; unknown values are returned as text."""
    text = str(value or "")
    for separator in ("#", ":"):
        if separator in text:
            text = text.rsplit(separator, 1)[-1]
    return text


def severity(value: object) -> Severity | None:
    return SEVERITY_BY_CODE.get(severity_code(value))


def severity_label(value: object, lang: str) -> str:
    found = severity(value)
    return found.label(lang) if found else severity_code(value)


def labels(lang: str) -> dict[str, str]:
    """``{"Violation": "Overtreding", ...}`` in ``lang``."""
    return {s.code: s.label(lang) for s in SEVERITIES}


def chart_colours(codes: Sequence[str]) -> tuple[str, ...]:
    """The colours of chart series that stand for the severities ``codes``, in that order."""
    return tuple(SEVERITY_BY_CODE[severity_code(c)].colour for c in codes)


def severity_css() -> str:
    """The CSS custom properties of the policy (``:root { --severity-violation: #D55E00; ... }``)."""
    properties = " ".join(f"{s.css_property}: {s.colour};" for s in SEVERITIES)
    return f":root {{ {properties} }}"


def severity_badge(value: object, lang: str) -> Markup:
    """The marker and the label of a severity as HTML: ``<span class="sev sev-Violation">■ Overtreding</span>``."""
    found = severity(value)
    code = severity_code(value)
    if found is None:
        return Markup('<span class="sev">{}</span>').format(code)
    return Markup('<span class="sev sev-{code}"><span class="sev-marker" aria-hidden="true">{marker}</span> '
                  '{label}</span>').format(code=found.code, marker=found.marker, label=found.label(lang))


def severity_legend(lang: str, explained: bool = False) -> Markup:
    """The legend of the policy: one badge per severity the rules use; ``explained``: each with what it means (the
    council report and the national overview, read by people who do not know the rules)."""
    words = texts("severity-legend", lang)
    if explained:
        items = Markup("").join(Markup("<dt>{badge}</dt><dd>{meaning}</dd>").format(
            badge=severity_badge(c, lang), meaning=words[c]) for c in LEGEND_SEVERITIES)
        return Markup('<dl class="severity-legend" aria-label="{title}">{items}</dl>').format(
            title=words["title"], items=items)
    items = Markup("").join(Markup("<li>{}</li>").format(severity_badge(c, lang)) for c in LEGEND_SEVERITIES)
    return Markup('<div class="severity-legend" role="note"><span>{title}:</span> <ul>{items}</ul></div>').format(
        title=escape(words["title"]), items=items)

"""Server-side SVG charts for the analysts' pages, drawn with pygal (no JavaScript, no CDN).

Each function returns one ``<svg>`` element as text, to be embedded in a page. Titles and labels are passed in by
the caller in the page's language; the SVG carries ``role="img"`` and an ``aria-label`` with the title, and pygal
writes a ``<title>`` and a text value per bar, so the chart is readable without sight of the bars. No work at import.
"""

from __future__ import annotations

from collections.abc import Sequence

import pygal
from pygal.style import Style

# Series that are not severities: Okabe-Ito colours other than the two of the severity policy (render/severity.py),
# so that no chart shows a municipality or a median in a violation's or a warning's colour.
PALETTE = ("#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#000000", "#F0E442", "#7d5ba6", "#8c6d3a")


def _style(colours: Sequence[str] = PALETTE) -> Style:
    return Style(
        background="white", plot_background="white", foreground="#222", foreground_strong="#111",
        foreground_subtle="#666", colors=tuple(colours), font_family="system-ui, -apple-system, 'Segoe UI', sans-serif",
        title_font_size=15, label_font_size=12, major_label_font_size=12, legend_font_size=12,
        value_font_size=11, tooltip_font_size=12,
    )


def _config(chart, title: str, height: int) -> None:
    chart.config.js = []  # pygal would otherwise load its tooltip script from a CDN
    chart.config.disable_xml_declaration = True
    chart.config.explicit_size = False
    chart.config.width = 720
    chart.config.height = height
    chart.config.title = title
    chart.config.print_values = True
    chart.config.print_zeroes = True
    chart.config.show_legend = True
    chart.config.legend_at_bottom = True
    chart.config.truncate_label = 40
    chart.config.truncate_legend = 40
    chart.config.margin = 16


def _integer_ticks(chart, values) -> None:
    """Whole-number axis ticks for counts (pygal would otherwise label 0.1, 0.2, …)."""
    numbers = [v for v in values if v is not None]
    if numbers and all(float(v).is_integer() for v in numbers):
        top = max(1, int(max(numbers)))
        step = max(1, -(-top // 8))
        chart.config.y_labels = list(range(0, top + step, step))


def _finish(chart, title: str) -> str:
    svg = chart.render(is_unicode=True)
    label = title.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)


def bar_chart(title: str, items: Sequence[tuple[str, float]], series_label: str, *, percent: bool = False) -> str:
    """Horizontal bars, one per (label, value), in the given order (e.g. deployments per technology kind)."""
    chart = pygal.HorizontalBar(style=_style())
    _config(chart, title, height=max(160, 70 + 34 * len(items)))
    chart.config.show_legend = False
    chart.config.x_labels = [label for label, _value in reversed(items)]
    values = [value for _label, value in reversed(items)]
    if percent:
        chart.config.value_formatter = lambda v: f"{v * 100:.1f} %"
        chart.config.range = (0, 1)
    else:
        chart.config.value_formatter = lambda v: f"{v:g}"
        _integer_ticks(chart, values)
    chart.add(series_label, values)
    return _finish(chart, title)


def grouped_bar_chart(title: str, categories: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]],
                      *, percent: bool = False) -> str:
    """Vertical bars grouped by category, one colour per series (e.g. municipalities and a province median)."""
    chart = pygal.Bar(style=_style())
    _config(chart, title, height=380)
    chart.config.x_labels = list(categories)
    chart.config.x_label_rotation = 20 if len(categories) > 2 else 0
    if percent:
        chart.config.value_formatter = lambda v: f"{v * 100:.1f} %"
        chart.config.range = (0, 1)
    else:
        chart.config.value_formatter = lambda v: f"{v:g}"
        _integer_ticks(chart, [v for _name, values in series for v in values])
    chart.config.legend_at_bottom_columns = 2 if len(series) > 2 else len(series)
    for name, values in series:
        chart.add(name, list(values))
    return _finish(chart, title)


def stacked_bar_chart(title: str, categories: Sequence[str], series: Sequence[tuple[str, Sequence[float]]],
                      *, colours: Sequence[str] = PALETTE) -> str:
    """Horizontal stacked bars (e.g. violations and warnings per requirement, coloured by ``severity.chart_colours``)."""
    chart = pygal.HorizontalStackedBar(style=_style(colours))
    _config(chart, title, height=max(180, 90 + 34 * len(categories)))
    chart.config.x_labels = list(reversed(categories))
    chart.config.value_formatter = lambda v: f"{v:g}"
    chart.config.print_zeroes = False
    totals = [sum(v or 0 for v in column) for column in zip(*(values for _name, values in series))]
    _integer_ticks(chart, totals)
    for name, values in series:
        chart.add(name, list(reversed(values)))
    return _finish(chart, title)

"""Rendering query results for people: a plain-text table of a SELECT result."""

from __future__ import annotations

from dge_graph.kernel.terms import compact
from dge_graph.store import SelectResult


def format_table(result: SelectResult, *, max_width: int = 60) -> str:
    """An aligned text table with a header row and a row count."""
    headers = result.variables
    cells = [[_clip(compact(row.get(v)), max_width) for v in headers] for row in result.rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    lines = [" | ".join(h.ljust(w) for h, w in zip(headers, widths)),
             "-+-".join("-" * w for w in widths)]
    lines += [" | ".join(c.ljust(w) for c, w in zip(row, widths)) for row in cells]
    lines.append(f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})")
    return "\n".join(lines)


def _clip(text: str, width: int) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"

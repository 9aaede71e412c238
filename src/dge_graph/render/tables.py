"""Tables for people, the one renderer of them: aligned plain text (the CLI) and Markdown (reports).

``text_table`` and ``markdown_table`` take a header and rows of strings; ``format_table`` renders a SELECT result
(terms in their short display form, long cells clipped) with a row count."""

from __future__ import annotations

from collections.abc import Sequence

from dge_graph.kernel.terms import compact
from dge_graph.store import SelectResult


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, separator: str = " | ",
               rule_separator: str = "-+-", indent: str = "") -> list[str]:
    """Lines of an aligned text table: the header, a rule of dashes, the rows (columns as wide as their widest
    cell, separated by ``separator``; ``rule_separator`` between the dashes), each line prefixed by ``indent``."""
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    lines = [indent + separator.join(h.ljust(w) for h, w in zip(headers, widths)),
             indent + rule_separator.join("-" * w for w in widths)]
    lines += [indent + separator.join(c.ljust(w) for c, w in zip(row, widths)) for row in rows]
    return lines


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    """Lines of a Markdown (GFM) table; a ``|`` inside a cell is escaped."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return lines


def format_table(result: SelectResult, *, max_width: int = 60) -> str:
    """An aligned text table of a SELECT result with a header row and a row count."""
    headers = result.variables
    cells = [[_clip(compact(row.get(v)), max_width) for v in headers] for row in result.rows]
    lines = text_table(headers, cells)
    lines.append(f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})")
    return "\n".join(lines)


def _clip(text: str, width: int) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"

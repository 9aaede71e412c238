"""What the endpoint refuses before evaluating a query, and the parser's errors in words a user understands.

* ``refuse_service``: a query with ``SERVICE`` makes the server fetch a URL of the caller's choice. It is refused
  (``QueryRefused``, HTTP 400) unless every ``SERVICE`` endpoint of the query is on the server's allow-list
  (``dge-graph serve --allow-service <endpoint IRI>``, repeatable; ``DGE_ALLOW_SERVICE``, space-separated). The
  check is on the query's tokens (strings and comments cannot fool it); a variable endpoint is never allowed.
* ``plain_syntax_error``: pyoxigraph says ``error at 1:10: expected CONSTRUCT`` for ``SELEC``, and lists Unicode
  ranges for an undeclared prefix; this says what is wrong, with line and column.
"""

from __future__ import annotations

import re

from dge_graph.kernel.config import Settings
from dge_graph.kernel.sparql_text import tokens

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
PROLOGUE = ("PREFIX", "BASE")
_POSITION = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)


class QueryRefused(ValueError):
    """The server will not run this query (HTTP 400); the message names the setting that would allow it."""


def service_endpoints(sparql: str) -> list[str]:
    """The endpoints of the query's ``SERVICE`` clauses: IRIs as written (``<…>`` stripped), ``?var`` for a variable,
    and prefixed names as written."""
    found = []
    items = list(tokens(sparql))
    for index, token in enumerate(items):
        if token.kind == "word" and token.text.upper() == "SERVICE":
            rest = items[index + 1:index + 3]
            if rest and rest[0].kind == "word" and rest[0].text.upper() == "SILENT":
                rest = rest[1:]
            if not rest:
                found.append("")
                continue
            target = rest[0]
            found.append(target.text[1:-1] if target.kind == "iri" else target.text)
    return found


def refuse_service(sparql: str, settings: Settings) -> None:
    """``QueryRefused`` unless every ``SERVICE`` endpoint of ``sparql`` is in ``settings.allow_service``."""
    allowed = set(settings.allow_service)
    for endpoint in service_endpoints(sparql):
        if endpoint in allowed:
            continue
        if not allowed:
            raise QueryRefused(
                "SERVICE (federated query) is off on this server: it would make the server fetch a URL of the "
                "query's choice. The operator can allow named endpoints with `dge-graph serve --allow-service "
                "<endpoint IRI>` (or DGE_ALLOW_SERVICE)")
        raise QueryRefused(
            f"SERVICE {endpoint or '(no endpoint)'} is not allowed on this server (written as a full IRI, the "
            f"endpoint must be one of --allow-service: {', '.join(sorted(allowed))})")


def plain_syntax_error(sparql: str, message: str) -> str:
    """The parser's ``message`` about ``sparql`` in plain words, with line and column."""
    match = _POSITION.match(message.strip())
    if not match:
        return message
    line, column, expected = int(match.group(1)), int(match.group(2)), match.group(3).strip()
    where = f"line {line}, column {column}"
    words = [t for t in tokens(sparql) if t.kind == "word"]
    keywords = [w.text.upper() for w in words if ":" not in w.text]
    first = next((k for k in keywords if k not in PROLOGUE), None)
    if first is not None and first not in QUERY_FORMS:
        return (f"{where}: a query starts with SELECT, ASK, CONSTRUCT or DESCRIBE (after any PREFIX and BASE "
                f"declarations), not {first!r}")
    if "Prefix not found" in expected:
        declared = {w.text for w in words if w.text.endswith(":")}
        undeclared = sorted({w.text.split(":", 1)[0] + ":" for w in words
                             if ":" in w.text and not w.text.endswith(":")} - declared)
        named = f" {', '.join(undeclared)}" if undeclared else ""
        return f"{where}: the prefix{named} is not declared: add `PREFIX{named or ' p:'} <namespace IRI>` before the query"
    near = _line_text(sparql, line, column)
    return f"{where}: the query does not parse here{near}{_expected(expected)}"


def _expected(expected: str) -> str:
    """``expected one of A, B, [_]`` -> ``; the parser expected one of: A, B`` (character classes left out)."""
    body = expected.removeprefix("expected").strip().removeprefix("one of").strip()
    items = [item.strip() for item in body.split(",")]
    words = [item for item in items if item and not item.startswith(("[", "'", "|")) and "\\u{" not in item]
    if not words or len(", ".join(words)) > 160:
        return ""
    return f"; the parser expected {'one of: ' if len(words) > 1 else ''}{', '.join(words)}"


def _line_text(sparql: str, line: int, column: int) -> str:
    lines = sparql.splitlines()
    if not 1 <= line <= len(lines):
        return ""
    text = lines[line - 1]
    start = max(column - 21, 0)
    piece = text[start:column + 10].strip()
    return f" (near {piece!r})" if piece else ""

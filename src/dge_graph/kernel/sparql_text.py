"""Light lexical analysis of SPARQL text, for the few protocol decisions that need to see inside a request.

Not a parser: a tokenizer that skips strings, IRIs and comments and tracks ``{}`` depth, enough to answer

* does a query name its own dataset (``FROM``/``FROM NAMED`` at the top level)? — then the store must not replace
  the default graph by the union of named graphs (SPARQL 1.1 Query §13.2);
* does an update carry ``USING``/``WITH``? — then ``using-graph-uri`` parameters are an error (Protocol §2.2.3);
* where do ``USING`` clauses go — before the top-level ``WHERE`` of each ``DELETE/INSERT … WHERE`` operation.

Syntax errors are left to the real parser (pyoxigraph or the remote store), which runs afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from dge_graph.kernel.terms import iri_ref

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
  | (?P<word>[^\W\d][\w.\-]*(?::[\w.\-:%\\]*)?|:[\w.\-:%\\]*)
  | (?P<open>\{)
  | (?P<close>\})
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    depth: int
    """``{}`` nesting depth at the token (0 = top level)."""


def tokens(text: str) -> Iterator[Token]:
    """The significant tokens of SPARQL text (no whitespace or comments), with their brace depth."""
    depth = 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind in ("ws", "comment"):
            continue
        if kind == "close":
            depth = max(depth - 1, 0)
        yield Token(kind, match.group(), match.start(), depth)
        if kind == "open":
            depth += 1


def _keyword(token: Token) -> str | None:
    return token.text.upper() if token.kind == "word" and ":" not in token.text else None


def names_dataset(query: str) -> bool:
    """True when a query has a top-level ``FROM`` or ``FROM NAMED`` clause."""
    if "from" not in query.lower():  # no such keyword anywhere: no need to tokenise (every query pays this check)
        return False
    return any(_keyword(t) == "FROM" and t.depth == 0 for t in tokens(query))


def has_using_or_with(update: str) -> bool:
    """True when an update names its own dataset with ``USING``, ``USING NAMED`` or ``WITH``."""
    return any(_keyword(t) in ("USING", "WITH") and t.depth == 0 for t in tokens(update))


def with_using(update: str, using: Sequence[str], using_named: Sequence[str]) -> str:
    """The update with ``USING <g>``/``USING NAMED <g>`` before the top-level ``WHERE`` of every operation that
    accepts them (``DELETE``/``INSERT … WHERE``; not ``DELETE WHERE``, which has no dataset clause)."""
    if not using and not using_named:
        return update
    clauses = [f"USING {iri_ref(g)}" for g in using] + [f"USING NAMED {iri_ref(g)}" for g in using_named]
    clause = " ".join(clauses)
    inserts: list[int] = []
    previous: str | None = None
    for token in tokens(update):
        keyword = _keyword(token)
        if keyword == "WHERE" and token.depth == 0 and previous != "DELETE":
            inserts.append(token.start)
        if token.depth == 0 or token.kind == "open":
            previous = keyword
    out = update
    for position in reversed(inserts):
        out = f"{out[:position]}{clause} {out[position:]}"
    return out


def dataset_clauses(query: str) -> tuple[list[str], list[str]]:
    """The IRIs of a query's top-level ``FROM`` and ``FROM NAMED`` clauses (prefixed names resolved against its
    ``PREFIX`` declarations), for stores that must be told the dataset as protocol parameters."""
    prefixes: dict[str, str] = {}
    default: list[str] = []
    named: list[str] = []
    items = [t for t in tokens(query) if t.depth == 0]
    for index, token in enumerate(items):
        keyword = _keyword(token)
        if token.kind == "word" and token.text.upper() == "PREFIX" and index + 2 < len(items):
            name, iri = items[index + 1], items[index + 2]
            if name.text.endswith(":") and iri.kind == "iri":
                prefixes[name.text[:-1]] = iri.text[1:-1]
        if keyword != "FROM" or index + 1 >= len(items):
            continue
        target, is_named = items[index + 1], False
        if _keyword(target) == "NAMED" and index + 2 < len(items):
            target, is_named = items[index + 2], True
        if target.kind == "iri":
            iri = target.text[1:-1]
        elif target.kind == "word" and ":" in target.text:
            prefix, _, local = target.text.partition(":")
            if prefix not in prefixes:
                continue
            iri = prefixes[prefix] + local.replace("\\", "")
        else:
            continue
        (named if is_named else default).append(iri)
    return default, named


def without_with(update: str) -> str:
    """The update with every ``WITH <g>`` written out as ``GRAPH <g>`` blocks, for stores that refuse ``WITH``
    (``oxigraph serve --union-default-graph``). Same meaning (SPARQL 1.1 Update §3.1.3): the triples of each template
    outside a ``GRAPH`` block go into ``GRAPH <g> { … }``, and the ``WHERE`` group becomes ``{ GRAPH <g> { … } }``
    unless the operation has its own ``USING`` (which then wins over ``WITH``). Text without ``WITH`` is returned
    as it is; nothing else changes."""
    items = list(tokens(update))
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement)

    def matching_close(open_index: int) -> int:
        depth = items[open_index].depth
        return next(i for i in range(open_index + 1, len(items))
                    if items[i].kind == "close" and items[i].depth == depth)

    index = 0
    while index < len(items):
        token = items[index]
        if not (_keyword(token) == "WITH" and token.depth == 0 and index + 1 < len(items)):
            index += 1
            continue
        graph = items[index + 1].text
        edits.append((token.start, items[index + 1].start + len(graph), ""))
        cursor, has_using, where_group = index + 2, False, None
        while cursor < len(items) and where_group is None:
            keyword = _keyword(items[cursor])
            if keyword in ("DELETE", "INSERT") and items[cursor + 1].kind == "open":
                close = matching_close(cursor + 1)
                edits += _template_in_graph(update, items, cursor + 1, close, graph)
                cursor = close + 1
                continue
            if keyword == "USING":
                has_using = True
            if keyword == "WHERE" and cursor + 1 < len(items) and items[cursor + 1].kind == "open":
                where_group = cursor + 1
            cursor += 1
        if where_group is None:
            return update  # not an operation this function understands: let the store's parser judge it
        close = matching_close(where_group)
        if not has_using:
            edits.append((items[where_group].start + 1, items[where_group].start + 1, f" GRAPH {graph} {{"))
            edits.append((items[close].start, items[close].start, "} "))
        index = close + 1
    out = update
    for start, end, text in sorted(edits, key=lambda e: e[0], reverse=True):
        out = out[:start] + text + out[end:]
    return out


def _template_in_graph(text: str, items: list[Token], open_index: int, close_index: int,
                       graph: str) -> list[tuple[int, int, str]]:
    """Edits that put the triples of a template (``{ … }`` at ``open_index``) outside its ``GRAPH`` blocks into
    ``GRAPH graph { … }``."""
    depth = items[open_index].depth + 1
    segments: list[tuple[int, int]] = []  # character spans of triples outside GRAPH blocks
    start = items[open_index].start + 1
    index = open_index + 1
    while index < close_index:
        token = items[index]
        if _keyword(token) == "GRAPH" and token.depth == depth:
            segments.append((start, token.start))
            block = next(i for i in range(index + 1, close_index) if items[i].kind == "open")
            end = next(i for i in range(block + 1, close_index + 1)
                       if items[i].kind == "close" and items[i].depth == depth)
            start = items[end].start + 1
            index = end + 1
            continue
        index += 1
    segments.append((start, items[close_index].start))
    edits = []
    for begin, end in segments:
        body = text[begin:end]
        stripped = body.strip()
        if stripped.startswith("."):
            stripped = stripped[1:].strip()
        if stripped:
            edits.append((begin, end, f" . GRAPH {graph} {{ {stripped} }} " if body.strip().startswith(".")
                          else f" GRAPH {graph} {{ {stripped} }} "))
    return edits

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

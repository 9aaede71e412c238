"""Named queries: the ``.rq`` files of ``queries/``, described by their comment header, run with typed parameters.

A named query is a SPARQL file whose leading comment block declares what it answers and what it takes::

    # name: requirements-protecting-right
    # summary: Requirements that protect a given fundamental right
    # summary@nl: Eisen die een gegeven grondrecht beschermen
    # description: Free text; may span several lines, each starting with "# description:" or "#   " (continuation).
    # param: right (iri) — the right, e.g. https://w3id.org/dge-graph/id/right/charter-8
    # param: lang (string, optional, default=en, values=nl|en) — language of the labels
    # example: right=https://w3id.org/dge-graph/id/right/charter-8
    # example: right=dgeid:right/grondwet-1 lang=nl

Header grammar (one key per line, ``# key: value``; the header ends at the first line that is not a comment):

* ``name`` (required) — equals the file name without ``.rq``; lower-case words joined by ``-``.
* ``summary`` (required) and ``summary@<lang>`` — one line each; ``summary`` is English.
* ``description`` — optional; repeated lines are joined. ``description@nl`` the same in Dutch (the pages show it
  under the Dutch interface; a query with a description has one).
* ``param: <name> (<type>[, optional][, default=<value>][, values=<a>|<b>…]) [—|--|-] <description>``.
  ``<name>`` is the SPARQL variable the value is bound to (``?<name>`` must occur in the query). Types:
  ``iri`` (absolute IRI, or a prefixed name with a prefix of ``namespaces.PREFIXES``), ``string``, ``date``
  (``YYYY-MM-DD``), ``integer``, ``boolean`` (``true``/``false``/``1``/``0``), ``municipality-code``
  (``GM`` + 4 digits, bound as a plain string, e.g. to match ``dct:identifier``).
* ``param@nl: <name> — <beschrijving>`` — the Dutch description of a parameter declared above.
* ``example: <name>=<value> …`` — one set of example arguments per line (space-separated); at least one.

Binding. Each argument is checked against its type and converted to an rdflib term, then passed to
``Store.query(..., substitutions=...)``: the store binds the variable to that term (pyoxigraph substitutions, or a
``VALUES`` block of N-Triples terms for a remote store). Text never reaches the query by string formatting, so a
value such as ``x> } ; DROP ALL ; #`` is either rejected (as an IRI) or bound as an inert literal (as a string).

Optional parameters. An optional parameter with a ``default`` is bound to its default when absent. An optional
parameter without a default is left **unbound** when absent: write the query so that an unbound variable matches
everything (e.g. use it in a triple pattern), or test it with ``BOUND(?x)`` (``!BOUND(?x) || …``; not by catching
the error of ``sameTerm``/``STR`` of the unbound variable with ``COALESCE(…, true)``, which Virtuoso reads as false).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Literal as TypingLiteral

from rdflib import Literal, URIRef
from rdflib.term import Node

from dge_graph.kernel.namespaces import PREFIXES, XSD
from dge_graph.kernel.resources import resource_dir
from dge_graph.kernel.sparql_text import tokens
from dge_graph.kernel.terms import InvalidIRI, checked_iri
from dge_graph.store import QueryResult, Store

ParameterType = TypingLiteral["iri", "string", "date", "integer", "boolean", "municipality-code"]
PARAMETER_TYPES: tuple[str, ...] = ("iri", "string", "date", "integer", "boolean", "municipality-code")

_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_HEADER_LINE = re.compile(r"^#\s*(?P<key>[A-Za-z]+(?:@[A-Za-z-]+)?)\s*:\s*(?P<value>.*)$")
_PARAM_NL = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?:—|–|--|-)\s*(?P<description>.+)$")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\((?P<options>[^)]*)\)\s*(?:(?:—|–|--|-)\s*(?P<description>.*))?$"
)
_PREFIXED_NAME = re.compile(r"^(?P<prefix>[A-Za-z][\w\-]*):(?P<local>[^\s<>\"{}|\\^`]*)$")
_MUNICIPALITY_CODE = re.compile(r"^GM\d{4}$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_BOOLEANS = MappingProxyType({"true": True, "1": True, "false": False, "0": False})
_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})


class NamedQueryError(ValueError):
    """Arguments for a named query are missing, unknown or ill-typed (a user error: HTTP 400, CLI exit 2)."""


class NamedQueryDefinitionError(ValueError):
    """A ``.rq`` file has a malformed header (a project error), with file and line."""

    def __init__(self, path: Path | str, line: int | None, message: str):
        self.path = str(path)
        self.line = line
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class QueryParameter:
    """One declared parameter of a named query."""

    name: str
    type: str
    description: str = ""
    optional: bool = False
    default: str | None = None
    allowed: tuple[str, ...] = ()
    description_nl: str = ""

    def description_in(self, lang: str) -> str:
        return self.description_nl if lang == "nl" and self.description_nl else self.description

    @property
    def required(self) -> bool:
        return not self.optional

    def convert(self, value: object, *, query: str = "") -> Node:
        """Check ``value`` against this parameter's type and return it as an rdflib term."""
        where = f"{query}: parameter {self.name!r}" if query else f"parameter {self.name!r}"
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, dt.date):
            text = value.isoformat()
        else:
            text = str(value).strip()
        term = self._convert(text, value, where)
        if self.allowed and str(term) not in {str(self._convert(a, a, where)) for a in self.allowed}:
            raise NamedQueryError(f"{where}: {text!r} is not one of {', '.join(self.allowed)}")
        return term

    def _convert(self, text: str, value: object, where: str) -> Node:
        if self.type == "iri":
            return URIRef(_expanded_iri(text, where))
        if self.type == "string":
            return Literal(text)
        if self.type == "municipality-code":
            if not _MUNICIPALITY_CODE.match(text):
                raise NamedQueryError(f"{where}: expected a CBS municipality code like GM0363, got {text!r}")
            return Literal(text)
        if self.type == "date":
            try:
                parsed = dt.date.fromisoformat(text) if len(text) == 10 else None
            except ValueError:
                parsed = None
            if parsed is None:
                raise NamedQueryError(f"{where}: expected a date YYYY-MM-DD, got {text!r}")
            return Literal(parsed.isoformat(), datatype=XSD.date)
        if self.type == "integer":
            if isinstance(value, bool) or not _INTEGER.match(text):
                raise NamedQueryError(f"{where}: expected an integer, got {text!r}")
            return Literal(int(text), datatype=XSD.integer)
        if self.type == "boolean":
            if text.lower() not in _BOOLEANS:
                raise NamedQueryError(f"{where}: expected true or false, got {text!r}")
            return Literal(_BOOLEANS[text.lower()], datatype=XSD.boolean)
        raise NamedQueryError(f"{where}: unknown parameter type {self.type!r}")  # excluded at load time


@dataclass(frozen=True)
class NamedQuery:
    """A ``.rq`` file with its parsed header."""

    name: str
    summary: Mapping[str, str]
    """Summary per language tag (``"en"`` always present)."""
    sparql: str
    parameters: tuple[QueryParameter, ...] = ()
    examples: tuple[Mapping[str, str], ...] = ()
    description: str = ""
    path: Path | None = field(default=None, compare=False)
    description_nl: str = ""

    def description_in(self, lang: str) -> str:
        """The description in ``lang`` (Dutch where the header has one, else English)."""
        return self.description_nl if lang == "nl" and self.description_nl else self.description

    @property
    def ordered(self) -> bool:
        """Whether the query orders its results (a top-level ``ORDER BY``)."""
        words = [t.text.upper() if t.kind == "word" else "" for t in tokens(self.sparql) if t.depth == 0]
        return any(a == "ORDER" and b == "BY" for a, b in zip(words, words[1:]))

    @property
    def form(self) -> str:
        """``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``: the first query keyword."""
        for token in tokens(self.sparql):
            if token.kind == "word" and token.text.upper() in _FORMS:
                return token.text.upper()
        return "SELECT"

    def parameter(self, name: str) -> QueryParameter:
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        raise NamedQueryError(f"{self.name}: unknown parameter {name!r}")

    def bind(self, arguments: Mapping[str, object] | None = None) -> dict[str, Node]:
        """Validate ``arguments`` and return the typed substitutions (defaults applied, absent optionals left out)."""
        arguments = dict(arguments or {})
        known = {p.name for p in self.parameters}
        unknown = sorted(set(arguments) - known)
        if unknown:
            expected = ", ".join(sorted(known)) or "none"
            raise NamedQueryError(f"{self.name}: unknown parameter(s) {', '.join(unknown)} (expected: {expected})")
        substitutions: dict[str, Node] = {}
        for parameter in self.parameters:
            value = arguments.get(parameter.name)
            if value is None or (isinstance(value, str) and value.strip() == ""):
                if parameter.default is not None:
                    value = parameter.default
                elif parameter.optional:
                    continue
                else:
                    raise NamedQueryError(
                        f"{self.name}: missing required parameter {parameter.name!r} ({parameter.type})"
                        + (f" — {parameter.description}" if parameter.description else "")
                    )
            substitutions[parameter.name] = parameter.convert(value, query=self.name)
        return substitutions


def parse_named_query(text: str, path: Path | str = "<query>") -> NamedQuery:
    """Parse one ``.rq`` file; raise ``NamedQueryDefinitionError`` (with file and line) on a malformed header."""
    path = Path(path)
    fields: dict[str, str] = {}
    summaries: dict[str, str] = {}
    description: list[str] = []
    description_nl: list[str] = []
    parameter_nl: dict[str, str] = {}
    parameters: list[QueryParameter] = []
    raw_examples: list[tuple[int, str]] = []
    last_key = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped.startswith("#"):
            if stripped:
                break
            continue
        match = _HEADER_LINE.match(stripped)
        if not match:
            body = stripped.lstrip("#").strip()
            if last_key == "description" and body:
                description.append(body)
            elif last_key == "description@nl" and body:
                description_nl.append(body)
            continue
        key, value = match.group("key"), match.group("value").strip()
        last_key = key
        if key == "name":
            fields["name"] = value
        elif key == "summary" or key.startswith("summary@"):
            lang = key.partition("@")[2] or "en"
            if lang in summaries:
                raise NamedQueryDefinitionError(path, number, f"summary@{lang} given twice")
            summaries[lang] = value
        elif key == "description":
            description.append(value)
        elif key == "description@nl":
            description_nl.append(value)
        elif key == "param@nl":
            match_nl = _PARAM_NL.match(value)
            if not match_nl or match_nl.group("name") not in {p.name for p in parameters}:
                raise NamedQueryDefinitionError(path, number, "expected 'param@nl: NAME — tekst' for a parameter "
                                                              f"declared above, got {value!r}")
            parameter_nl[match_nl.group("name")] = match_nl.group("description").strip()
        elif key == "param":
            parameters.append(_parse_parameter(value, path, number))
        elif key == "example":
            raw_examples.append((number, value))
        else:
            last_key = None  # an ordinary comment that happens to contain a colon
    name = fields.get("name")
    if not name:
        raise NamedQueryDefinitionError(path, None, "the header has no '# name:' line")
    if not _NAME.match(name):
        raise NamedQueryDefinitionError(path, None, f"name {name!r} is not lower-case words joined by '-'")
    if path.suffix == ".rq" and path.stem != name:
        raise NamedQueryDefinitionError(path, None, f"name {name!r} does not match the file name {path.name!r}")
    if "en" not in summaries or not summaries["en"]:
        raise NamedQueryDefinitionError(path, None, "the header has no '# summary:' line")
    names = [p.name for p in parameters]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise NamedQueryDefinitionError(path, None, f"parameter(s) declared twice: {', '.join(duplicates)}")
    variables = {t.text[1:] for t in tokens(text) if t.kind == "var"}
    for parameter in parameters:
        if parameter.name not in variables:
            raise NamedQueryDefinitionError(path, None, f"parameter {parameter.name!r} is not a variable of the query")
    parameters = [replace(p, description_nl=parameter_nl.get(p.name, "")) for p in parameters]
    query = NamedQuery(name=name, summary=MappingProxyType(summaries), sparql=text, parameters=tuple(parameters),
                       description=" ".join(description), path=path, description_nl=" ".join(description_nl))
    examples = []
    for number, value in raw_examples:
        arguments = _parse_arguments(value, path, number)
        try:
            query.bind(arguments)
        except NamedQueryError as exc:
            raise NamedQueryDefinitionError(path, number, f"example does not bind: {exc}") from exc
        examples.append(MappingProxyType(arguments))
    if not examples:
        raise NamedQueryDefinitionError(path, None, "the header has no '# example:' line")
    return replace(query, examples=tuple(examples))


def load_named_queries(directory: Path | None = None) -> tuple[NamedQuery, ...]:
    """Every ``*.rq`` of ``queries/`` (or ``directory``), sorted by name."""
    directory = directory or resource_dir("queries")
    queries = [parse_named_query(path.read_text(encoding="utf-8"), path) for path in sorted(directory.glob("*.rq"))]
    return tuple(sorted(queries, key=lambda q: q.name))


def find_named_query(queries: Iterable[NamedQuery], name: str) -> NamedQuery:
    """The query called ``name``; ``NamedQueryError`` listing the known names otherwise."""
    queries = tuple(queries)
    for query in queries:
        if query.name == name:
            return query
    raise NamedQueryError(f"no named query {name!r} (known: {', '.join(q.name for q in queries)})")


def run_named_query(store: Store, query: NamedQuery, arguments: Mapping[str, object] | None = None) -> QueryResult:
    """Validate and bind ``arguments`` as typed terms and run ``query`` on ``store``."""
    return store.query(query.sparql, substitutions=query.bind(arguments))


def parse_argument_pairs(pairs: Iterable[str]) -> dict[str, str]:
    """``["a=1", "b=x y"]`` -> ``{"a": "1", "b": "x y"}`` (for the command line); ``NamedQueryError`` if malformed."""
    arguments: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not _VARIABLE.match(name):
            raise NamedQueryError(f"expected NAME=VALUE, got {pair!r}")
        if name in arguments:
            raise NamedQueryError(f"parameter {name!r} given twice")
        arguments[name] = value
    return arguments


# --------------------------------------------------------------------------------------------------------------


def _parse_parameter(value: str, path: Path, line: int) -> QueryParameter:
    match = _PARAM.match(value)
    if not match:
        raise NamedQueryDefinitionError(path, line, f"expected 'param: NAME (TYPE[, optional][, default=V]) — text', got {value!r}")
    options = [o.strip() for o in match.group("options").split(",") if o.strip()]
    if not options or options[0] not in PARAMETER_TYPES:
        raise NamedQueryDefinitionError(
            path, line, f"parameter type must be one of {', '.join(PARAMETER_TYPES)}, got {options[:1] or ['nothing']}"
        )
    optional, default, allowed = False, None, ()
    for option in options[1:]:
        key, sep, val = option.partition("=")
        key = key.strip()
        if option == "optional":
            optional = True
        elif sep and key == "default":
            default = val.strip()
        elif sep and key == "values":
            allowed = tuple(v.strip() for v in val.split("|") if v.strip())
        else:
            raise NamedQueryDefinitionError(path, line, f"unknown parameter option {option!r}")
    if default is not None:
        optional = True
    parameter = QueryParameter(name=match.group("name"), type=options[0], description=(match.group("description") or "").strip(),
                               optional=optional, default=default, allowed=allowed)
    for fixed, what in [(default, "default")] + [(a, "allowed value") for a in allowed]:
        if fixed is None:
            continue
        try:
            parameter.convert(fixed)
        except NamedQueryError as exc:
            raise NamedQueryDefinitionError(path, line, f"{what} does not fit the type: {exc}") from exc
    return parameter


def _parse_arguments(value: str, path: Path, line: int) -> dict[str, str]:
    try:
        return parse_argument_pairs(value.split())
    except NamedQueryError as exc:
        raise NamedQueryDefinitionError(path, line, str(exc)) from exc


def _expanded_iri(text: str, where: str) -> str:
    match = _PREFIXED_NAME.match(text)
    if match and match.group("prefix") in PREFIXES and not text.startswith(("http:", "https:", "urn:")):
        text = PREFIXES[match.group("prefix")] + match.group("local")
    try:
        return checked_iri(text)
    except InvalidIRI as exc:
        raise NamedQueryError(f"{where}: expected an absolute IRI (or a known prefix such as dgeid:): {exc}") from exc

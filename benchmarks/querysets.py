"""The queries the benchmark times: every named query (``queries/*.rq``), as cases with concrete arguments.

Each named query gives one case per kind of call a user makes: with its first ``# example:`` arguments, and, when
all its parameters are optional, without arguments (the national view: every municipality). A case is
*cross-municipality* when the query reads deployments or findings (directly, or the measures validation precomputes
from them: the target p50 <= 50 ms at 100k deployments is about those); the others read only the knowledge graph
(laws, values, requirements) and do not grow with the data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rdflib.term import Node

from dge_graph.query.named import NamedQuery, load_named_queries

_READS_DEPLOYMENTS = re.compile(r"dge:Deployment\b|dge:municipality\b|validation/latest|validation/measures")
"""Deployments, the stored findings (graph/validation/latest) or the measures validation precomputes from them
(graph/validation/measures)."""


@dataclass(frozen=True)
class QueryCase:
    label: str
    query: NamedQuery
    arguments: tuple[tuple[str, str], ...]

    @property
    def substitutions(self) -> dict[str, Node]:
        return self.query.bind(dict(self.arguments))

    @property
    def cross_municipality(self) -> bool:
        return bool(_READS_DEPLOYMENTS.search(self.query.sparql))

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "query": self.query.name, "arguments": dict(self.arguments),
                "cross_municipality": self.cross_municipality}


def query_cases() -> list[QueryCase]:
    cases = []
    for query in load_named_queries():
        if query.examples:
            example = tuple(sorted(query.examples[0].items()))
            shown = " ".join(f"{k}={v.rsplit('/', 1)[-1]}" for k, v in example)
            cases.append(QueryCase(f"{query.name} ({shown})" if shown else query.name, query, example))
        if all(p.optional for p in query.parameters):
            national = QueryCase(f"{query.name} (all)" if query.parameters else query.name, query, ())
            if not cases or cases[-1].query is not query or cases[-1].substitutions != national.substitutions:
                cases.append(national)
    return cases


def case_by_label(label: str) -> QueryCase:
    for case in query_cases():
        if case.label == label:
            return case
    raise KeyError(label)

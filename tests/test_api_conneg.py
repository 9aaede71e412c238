"""Media-type negotiation (``dge_graph.kernel.conneg``): Accept with q-values, several types, wildcards; overrides."""

from __future__ import annotations

import pytest

from dge_graph.kernel.conneg import BadAcceptHeader, format_override, negotiate, preferred_language

RDF_OFFERS = ("text/turtle", "text/html", "application/ld+json", "application/rdf+xml", "application/n-triples")
RESULT_OFFERS = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                 "text/tab-separated-values")
CHROME = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.mark.parametrize(("accept", "offers", "expected"), [
    (None, RDF_OFFERS, "text/turtle"),                                      # no Accept: the server's default
    ("", RDF_OFFERS, "text/turtle"),
    ("*/*", RDF_OFFERS, "text/turtle"),
    (CHROME, RDF_OFFERS, "text/html"),                                      # browsers get HTML
    ("application/ld+json", RDF_OFFERS, "application/ld+json"),
    ("text/turtle;q=0.5, application/ld+json;q=0.9", RDF_OFFERS, "application/ld+json"),  # q-values decide
    ("application/*", RDF_OFFERS, "application/ld+json"),                   # wildcard subtype: server order
    ("text/*;q=0.9, application/rdf+xml", RDF_OFFERS, "application/rdf+xml"),
    ("application/rdf+xml, text/turtle", RDF_OFFERS, "application/rdf+xml"),  # equal q: client order
    ("text/*, text/html;q=0", RDF_OFFERS, "text/turtle"),                   # q=0 excludes the more specific type
    ("*/*;q=0.1, application/n-triples;q=0.2", RDF_OFFERS, "application/n-triples"),
    ("image/png", RDF_OFFERS, None),                                        # nothing acceptable: 406
    ("application/json", RESULT_OFFERS, None),                              # not a synonym in Accept
    ("text/csv;q=0.8, application/sparql-results+xml", RESULT_OFFERS, "application/sparql-results+xml"),
    ("TEXT/TAB-SEPARATED-VALUES", RESULT_OFFERS, "text/tab-separated-values"),  # case-insensitive
])
def test_negotiate(accept, offers, expected):
    assert negotiate(accept, offers) == expected


@pytest.mark.parametrize("accept", ["text/turtle;q=abc", "text/turtle;q=1.5"])
def test_malformed_q_value_is_an_error(accept):
    with pytest.raises(BadAcceptHeader, match="q-value"):
        negotiate(accept, RDF_OFFERS)


@pytest.mark.parametrize(("value", "expected"), [
    ("json", "application/sparql-results+json"),
    ("ttl", "text/turtle"),
    ("jsonld", "application/ld+json"),
    ("nt", "application/n-triples"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("application/json", "application/sparql-results+json"),
    ("text/html; charset=utf-8", "text/html"),
    (None, None),
])
def test_format_override(value, expected):
    assert format_override(value) == expected


@pytest.mark.parametrize(("header", "expected"), [
    (None, "nl"),
    ("en-GB,en;q=0.9", "en"),
    ("nl-NL,nl;q=0.9,en;q=0.8", "nl"),
    ("de-DE,de;q=0.9,en;q=0.5", "en"),                    # German is not offered: the next acceptable one
    ("fr", "nl"),                                         # nothing offered: the default
    ("en;q=0.3, nl;q=0.7", "nl"),
])
def test_preferred_language(header, expected):
    assert preferred_language(header, ("nl", "en"), "nl") == expected

"""The home page (the national overview, ``query.overview``), the query editor (YASGUI, vendored: no CDN) with example queries, and the OpenAPI docs page.

Example queries are the project's named queries (``queries/*.rq``, read by ``dge_graph.query.named``) plus a few built
in here.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from dge_graph.api.guard import guarded
from dge_graph.api.pages import render, request_language
from dge_graph.kernel.labels import label_in
from dge_graph.kernel.namespaces import sparql_prefixes
from dge_graph.query.overview import national_overview
from dge_graph.render.analytics import format_number
from dge_graph.render.overview import TEXT as OVERVIEW_TEXT

router = APIRouter(tags=["pages"])


@dataclass(frozen=True)
class ExampleQuery:
    name: str
    title: str
    sparql: str


BUILT_IN_EXAMPLES = (
    ("named-graphs", "Named graphs and their size / Benoemde grafen en hun omvang",
     "SELECT ?graph (COUNT(*) AS ?triples)\nWHERE { GRAPH ?graph { ?s ?p ?o } }\nGROUP BY ?graph\n"
     "ORDER BY DESC(?triples)"),
    ("classes", "Classes and their instances / Klassen en hun instanties",
     "SELECT ?class (SAMPLE(?label) AS ?name) (COUNT(?s) AS ?instances)\nWHERE {\n  ?s a ?class .\n"
     "  OPTIONAL { ?class rdfs:label ?label FILTER(LANG(?label) = \"en\") }\n}\nGROUP BY ?class\n"
     "ORDER BY DESC(?instances)"),
)


def example_queries(named, lang: str = "en") -> list[ExampleQuery]:
    """The named queries (titles in ``lang``) followed by the built-in examples."""
    examples = []
    for query in named:
        title = label_in(query.summary, lang) or query.name
        examples.append(ExampleQuery(query.name, title, query.sparql))
    prefixes = sparql_prefixes()
    examples += [ExampleQuery(name, title, prefixes + "\n" + body) for name, title, body in BUILT_IN_EXAMPLES]
    return examples


@router.get("/", response_class=HTMLResponse, summary="Home page", name="home")
async def home(request: Request) -> HTMLResponse:
    lang = request_language(request)
    examples = example_queries(request.app.state.named_queries, lang)
    overview = await guarded(request, national_overview)
    return render(request, "home.html", examples=examples, overview=overview, text=OVERVIEW_TEXT[lang],
                  format_number=format_number, lang=lang)


@router.get("/editor", response_class=HTMLResponse, summary="SPARQL query editor (YASGUI)", name="query_editor")
async def query_editor(request: Request) -> HTMLResponse:
    examples = example_queries(request.app.state.named_queries, request_language(request))
    return render(request, "editor.html", examples=examples, endpoint=str(request.url_for("sparql_endpoint")),
                  initial=(request.query_params.get("query") or examples[0].sparql if examples else ""))


@router.get("/docs", include_in_schema=False)
async def api_docs(request: Request) -> HTMLResponse:
    static = str(request.url_for("static", path=""))
    return get_swagger_ui_html(
        openapi_url=request.scope.get("root_path", "") + (request.app.openapi_url or "/openapi.json"),
        title="dge-graph API",
        swagger_js_url=f"{static}swagger-ui/swagger-ui-bundle.js",
        swagger_css_url=f"{static}swagger-ui/swagger-ui.css",
        swagger_favicon_url=f"{static}favicon.svg",
    )

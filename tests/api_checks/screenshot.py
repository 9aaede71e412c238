"""Screenshot check of the linked-data and query pages in headless Chromium.

Serves the project graph (with a stored validation report), then for each page: Chromium dumps the DOM after its
scripts ran (the check: YASGUI's editor, Swagger UI's operations, the resource page's sections are in it) and takes
a PNG screenshot into ``--out``. Exit 0 when every page rendered, 1 otherwise, 2 without Chromium
(``apt-get install -y chromium``). Used by ``make screenshot``; not part of ``make test``.

    python tests/api_checks/screenshot.py [--out var/screenshots] [--chromium chromium]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve import served_project  # noqa: E402

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars", "--virtual-time-budget=8000")

EDITOR_QUERY = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
                "SELECT ?value ?label WHERE { ?value a <https://w3id.org/dge-graph/def#PublicValue> ;\n"
                "  skos:prefLabel ?label FILTER(LANG(?label) = 'nl') } ORDER BY ?label")
ELI_GDPR_ART_35 = "http://data.europa.eu/eli/reg/2016/679/art_35/oj"
DEPLOYMENT_WITH_FINDINGS = """
PREFIX dge: <https://w3id.org/dge-graph/def#>
SELECT ?deployment (COUNT(?requirement) AS ?n) WHERE {
  GRAPH <https://w3id.org/dge-graph/graph/validation/latest> { ?deployment dge:missesRequirement ?requirement }
  ?deployment a dge:Deployment .
} GROUP BY ?deployment ORDER BY DESC(?n) ?deployment LIMIT 1"""


def pages(base: str) -> list[tuple[str, str, dict[str, str], tuple[str, ...]]]:
    """(name, URL, extra Chromium flags, strings the rendered DOM must contain)."""
    rows = json.loads(httpx.get(f"{base}/sparql", params={"query": DEPLOYMENT_WITH_FINDINGS}).content)
    bindings = rows["results"]["bindings"]
    if not bindings:
        raise SystemExit("no deployment with findings in the validation report")
    deployment = bindings[0]["deployment"]["value"].replace("https://w3id.org/dge-graph/", f"{base}/")
    return [
        ("api-home-nl", f"{base}/?lang=nl", {}, ("Voorbeeldvragen",)),
        ("api-editor-en", f"{base}/editor?lang=en", {}, ("CodeMirror", "yasqe", "Example queries")),
        ("api-editor-run-nl", f"{base}/editor?lang=nl&run=1&query={quote(EDITOR_QUERY, safe='')}", {},
         ("privacy", "dataTable")),  # the editor ran the query against /sparql and shows the result table
        ("api-deployment-nl", f"{deployment}?_mediatype=html&lang=nl", {}, ("Validatiebevindingen", "Overtreding")),
        ("api-deployment-en", f"{deployment}?_mediatype=html&lang=en", {}, ("Validation findings", "Violation")),
        ("api-value-en", f"{base}/id/value/privacy?_mediatype=html&lang=en", {}, ("Links to this resource",)),
        ("api-ontology-en", f"{base}/def?_mediatype=html&lang=en", {}, ('id="Deployment"',)),
        ("api-eli-article-en", f"{base}/resource?iri={quote(ELI_GDPR_ART_35, safe='')}&_mediatype=html&lang=en",
         {}, ("Properties",)),
        ("api-docs", f"{base}/docs", {}, ("opblock", "/sparql")),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("var/screenshots"))
    parser.add_argument("--chromium", default=shutil.which("chromium") or shutil.which("chromium-browser") or "")
    args = parser.parse_args(argv)
    if not args.chromium:
        print("screenshot: chromium not found (apt-get install -y chromium)", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    failures = 0
    with served_project() as base, tempfile.TemporaryDirectory(prefix="dge-chromium-") as profile:
        page_list = pages(base)
        for name, url, _, expected in page_list:
            common = [args.chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}"]
            dom = subprocess.run([*common, "--dump-dom", url], capture_output=True, text=True, timeout=120).stdout
            png = args.out / f"{name}.png"
            subprocess.run([*common, f"--screenshot={png}", "--window-size=1280,1400", url],
                           capture_output=True, timeout=120)
            missing = [text for text in expected if text not in dom]
            ok = not missing and png.is_file() and png.stat().st_size > 10_000
            failures += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {name}: {png}" + (f" (missing in DOM: {missing})" if missing else ""))
    print(f"screenshots: {len(page_list) - failures} pages rendered, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

"""The command line beside a running ``dge-graph serve`` (issue 14, item 5): commands that only read work on the
on-disk store the server holds (opened read-only beside it); writing commands are told, in one line, to write through
the server, and do so with ``--store http://…/sparql`` and the server's token."""

from __future__ import annotations

import subprocess

import pytest
from local_server import ASK_PROBE, dge_graph_serve_command, running_server, venv_binary

from dge_graph.cli import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, main
from dge_graph.kernel.resources import project_root

pytestmark = pytest.mark.slow

TOKEN = "token-for-the-cli-tests"
EXAMPLE = str(project_root() / "docs" / "examples" / "planned-chatbot.yaml")


@pytest.fixture(scope="module")
def served(copy_built_project):
    """(store directory, base URL) of a `dge-graph serve --update-token` on a built store."""
    location = copy_built_project("served")
    # the measures the analysts' queries read are written by validation
    assert main(["validate", "--store", location, "--date", "2026-11-23", "-q"]) == EXIT_FINDINGS
    with running_server(lambda port: dge_graph_serve_command(location, port, "--update-token", TOKEN), "/sparql",
                        probe_params=ASK_PROBE, name="dge-graph serve") as base:
        yield location, base


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


READING = [
    (["query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"], EXIT_OK, "(1 row)"),
    (["queries", "run", "municipalities-by-open-violations", "--format", "csv"], EXIT_OK, "GM0363"),
    (["report", "municipality", "GM0363"], EXIT_OK, "Amsterdam"),
    (["compare", "GM0363", "GM0344", "--format", "csv"], EXIT_OK, "GM0344"),
    (["validate", "--no-save", "--date", "2026-11-23"], EXIT_FINDINGS, "deployments checked"),
    (["check", EXAMPLE, "--date", "2026-11-23"], EXIT_FINDINGS, "example-zaanstad-ai-chatbot"),
]


@pytest.mark.parametrize(("argv", "code", "words"), READING, ids=[" ".join(a[:2]) for a, _, _ in READING])
def test_reading_commands_work_on_the_directory_the_server_holds(served, capsys, argv, code, words):
    location, _ = served
    result, out, err = run(capsys, *argv, "--store", location)
    assert (result, err if result == EXIT_ERROR else "") == (code, "")
    assert words in out


@pytest.mark.parametrize("argv", [["build"], ["validate"], ["import", "intake", EXAMPLE]],
                         ids=["build", "validate", "import"])
def test_a_writing_command_on_the_held_directory_is_one_line_and_exit_2(served, argv):
    """Issue 14: a locked store printed a 40-line traceback. In a separate process, as a user runs it."""
    location, _ = served
    done = subprocess.run([venv_binary("dge-graph"), *argv, "--store", location], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == EXIT_ERROR
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "in use by another process" in done.stderr and "--update-token" in done.stderr


def test_writes_through_the_server_send_the_token(served, capsys, tmp_path, monkeypatch):
    location, base = served
    endpoint = f"{base}/sparql"
    intake = tmp_path / "through-the-server.yaml"
    intake.write_text("deployments:\n  - id: through-the-server\n    title: Via de server\n    municipality: GM0363\n",
                      encoding="utf-8")
    code, _, err = run(capsys, "import", "intake", str(intake), "--store", endpoint)
    assert code == EXIT_ERROR and "answered 401" in err and "the write was refused" in err and "--update-token" in err
    code, out, _ = run(capsys, "import", "intake", str(intake), "--store", endpoint, "--update-token", TOKEN)
    assert code == EXIT_OK and "1 deployments, 1 municipalities, imported" in out
    # the environment variable works as well, and the reading side (read-only beside the server) sees the write
    monkeypatch.setenv("DGE_UPDATE_TOKEN", TOKEN)
    assert run(capsys, "validate", "--store", endpoint, "--date", "2026-11-23", "-q")[0] == EXIT_FINDINGS
    code, out, _ = run(capsys, "query", "--store", location, "--format", "csv",
                       "SELECT ?t WHERE { <https://w3id.org/dge-graph/id/deployment/through-the-server> "
                       "<http://purl.org/dc/terms/title> ?t }")
    assert code == EXIT_OK and out.splitlines()[1:] == ["Via de server"]
    code, out, _ = run(capsys, "query", "--store", location, "ASK { GRAPH "
                       "<https://w3id.org/dge-graph/graph/validation/latest> { ?r a "
                       "<https://w3id.org/dge-graph/def#ValidationRun> } }")
    assert out.strip() == "true"


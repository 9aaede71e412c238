"""README.md's worked example, run as written with the server up (issue 14, item 5), so README and behaviour cannot
drift apart.

The section's ``sh`` blocks (and the inline ``curl`` of its prose) are read from README.md and run one command at a
time with bash, in the project folder. Only where things are is changed: ``var/store`` becomes a temporary store,
``.venv/bin/`` the folder of this Python's console scripts, and port 8000 a free loopback port (8000 may be taken on
a shared machine). ``export NAME=VALUE`` sets the environment of the server and of every later command; ``make run``
(``run: build validate serve`` in the Makefile) builds and validates the store and starts the server with that
environment (its build step is a copy of the session's project build, ``copy_built_project`` in
``tests/conftest.py``: the same ``build`` over the same sources; ``tests/test_cli.py`` runs the build command itself).
A command whose comment says ``exit 1`` must exit 1 (findings); every other must exit 0 and print something.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from local_server import ASK_PROBE, LOOPBACK, dge_graph_serve_command, running_server, venv_binary

from dge_graph.kernel.resources import project_root

pytestmark = pytest.mark.slow

ROOT = project_root()
SECTION = "## A worked example"


@dataclass(frozen=True)
class Command:
    text: str
    comment: str

    @property
    def expected_exit(self) -> int:
        return 1 if re.search(r"\bexit 1\b", self.comment) else 0


def worked_example() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index(SECTION)
    end = readme.index("\n## ", start + len(SECTION))
    return readme[start:end]


def complete(text: str) -> bool:
    try:
        shlex.split(text, comments=True)
    except ValueError:  # an open quote: the command goes on on the next line
        return False
    return True


def split_comment(line: str) -> tuple[str, str]:
    """``command   # comment`` -> (command, comment), a ``#`` inside quotes or an IRI not being a comment."""
    match = re.search(r"\s+#\s", line)
    return (line[:match.start()], line[match.end():]) if match else (line, "")


def commands(section: str) -> list[Command]:
    found: list[Command] = []
    for block in re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL):
        pending = ""
        for line in block.splitlines():
            if not pending and not line.strip():
                continue
            pending = f"{pending}\n{line}" if pending else line
            if complete(pending):
                text, comment = split_comment(pending) if "\n" not in pending else (pending, "")
                found.append(Command(text.strip(), comment))
                pending = ""
        assert not pending, f"unterminated command in README: {pending!r}"
    prose = re.sub(r"```.*?```", "", section, flags=re.DOTALL)
    found += [Command(text, "") for text in re.findall(r"`(curl [^`]+)`", prose)]
    return found


def test_the_example_is_found():
    found = [c.text.split()[0] for c in commands(worked_example())]
    assert found[:2] == ["export", "make"] and "curl" in found
    assert any(c.text.startswith(".venv/bin/dge-graph validate") for c in commands(worked_example()))
    assert re.search(r"^run: build validate serve$", (ROOT / "Makefile").read_text(encoding="utf-8"), flags=re.MULTILINE)


def test_the_worked_example_runs_as_written_with_the_server_up(copy_built_project):
    store = None  # the store `make run` builds
    bin_dir = str(Path(sys.executable).parent) + "/"
    env = dict(os.environ)
    env.pop("DGE_STORE", None)
    port = None
    with ExitStack() as running:
        for step in commands(worked_example()):
            if step.text.startswith("export "):
                name, _, value = step.text.removeprefix("export ").partition("=")
                env[name] = shlex.split(value)[0]
                continue
            if step.text == "make run":
                store = copy_built_project("readme")  # what `make build` writes (tests/conftest.py), as a copy
                validate = subprocess.run([venv_binary("dge-graph"), "validate", "--store", store, "--format", "csv"],
                                          env=env, capture_output=True, text=True, timeout=300)  # as `make validate`
                assert validate.returncode in (0, 1), validate.stderr
                base = running.enter_context(running_server(
                    lambda free: dge_graph_serve_command(store, free), "/sparql", probe_params=ASK_PROBE, env=env,
                    name="dge-graph serve"))
                port = base.rsplit(":", 1)[1]
                continue
            assert port is not None, f"README runs {step.text!r} before `make run`"
            text = (step.text.replace(".venv/bin/", bin_dir).replace("var/store", store)
                    .replace("127.0.0.1:8000", f"{LOOPBACK}:{port}"))
            done = subprocess.run(["bash", "-c", text], cwd=ROOT, env=env, capture_output=True, text=True,
                                  timeout=300)
            assert done.returncode == step.expected_exit, f"{step.text}\nexit {done.returncode}\n{done.stderr[-3000:]}"
            assert done.stdout.strip(), f"{step.text} printed nothing"

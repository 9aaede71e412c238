"""``dge-graph serve``: the HTTP API over the store."""

from __future__ import annotations

import errno
import socket
from pathlib import Path

from dge_graph.cli.errors import CommandError


def register(subparsers, add_store_option) -> None:
    parser = subparsers.add_parser(
        "serve", help="serve the SPARQL endpoint and linked data over HTTP",
        epilog="Exit codes: 0 stopped; 2 the store does not exist (without --create), cannot be opened, or the port "
        "is in use.")
    add_store_option(parser)
    parser.add_argument("--host", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default 8000)")
    parser.add_argument("--timeout-s", type=float, dest="timeout_s",
                        help="time limit of every store call of a request, in seconds (default 30): past it the "
                        "request gets 503 and its evaluation is stopped")
    parser.add_argument("--update-token", dest="update_token",
                        help="bearer token enabling SPARQL Update and the Graph Store Protocol "
                        "(default $DGE_UPDATE_TOKEN; off when unset)")
    parser.add_argument("--allow-service", dest="allow_service", action="append", metavar="ENDPOINT",
                        help="let queries call this SPARQL endpoint with SERVICE (full IRI; repeatable; default "
                        "$DGE_ALLOW_SERVICE, space-separated). Without it SERVICE is refused (400)")
    parser.add_argument("--create", action="store_true",
                        help="create an empty store when --store names a directory that does not exist")
    parser.set_defaults(handler=handle)


def check_store_location(location: str, *, create: bool) -> None:
    """``CommandError`` for a store directory that does not exist (unless ``create``)."""

    if location == ":memory:" or location.startswith(("http://", "https://")):
        return
    path = Path(location)
    if not (path / "CURRENT").exists() and not create:
        raise CommandError(f"no store at {path}: build one first (`dge-graph build --store {path}`), "
                           "or pass --create to serve an empty store")


def check_port_free(host: str, port: int) -> None:

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise CommandError(f"port {port} on {host} is in use (another `dge-graph serve`?): "
                                   "stop it or pick another --port") from exc
            raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


def handle(args, settings) -> int:
    import uvicorn

    from dge_graph.api import create_app
    from dge_graph.store import open_store

    check_store_location(settings.store, create=args.create)
    check_port_free(settings.host, settings.port)
    store = open_store(settings.store, timeout_s=settings.timeout_s)  # errors (a locked store) before listening
    try:
        app = create_app(settings, store=store)
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning" if args.quiet else "info")
    finally:
        store.close()
    return 0

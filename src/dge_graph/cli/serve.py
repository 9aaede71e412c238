"""``dge-graph serve``: the HTTP API over the store."""

from __future__ import annotations


def register(subparsers, add_store_option) -> None:
    parser = subparsers.add_parser("serve", help="serve the SPARQL endpoint and linked data over HTTP")
    add_store_option(parser)
    parser.add_argument("--host", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default 8000)")
    parser.add_argument("--timeout-s", type=float, dest="timeout_s", help="query time limit in seconds (default 30)")
    parser.add_argument("--update-token", dest="update_token",
                        help="bearer token enabling SPARQL Update and the Graph Store Protocol "
                        "(default $DGE_UPDATE_TOKEN; off when unset)")
    parser.set_defaults(handler=handle)


def handle(args, settings) -> int:
    import uvicorn

    from dge_graph.api import create_app

    app = create_app(settings)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning" if args.quiet else "info")
    return 0

"""Options shared by the commands that write to the store."""

from __future__ import annotations

import argparse


def add_update_token_option(parser: argparse.ArgumentParser) -> None:
    """``--update-token``: what a writing command sends to a remote ``--store http://…`` (a ``dge-graph serve``
    started with ``--update-token``). Read into ``Settings.update_token``, like ``serve``'s own option."""
    parser.add_argument("--update-token", dest="update_token", metavar="TOKEN",
                        help="bearer token sent with the writes to a remote --store http://… (a `dge-graph serve "
                        "--update-token`); default $DGE_UPDATE_TOKEN")

"""What the import and export commands share on their command line (docs/contract.md): the
file they read or write and the roadmap they work on."""

from __future__ import annotations

from pathlib import Path


def add_file_argument(parser, help_text: str) -> None:
    parser.add_argument("file", type=Path, help=help_text)


def add_roadmap_option(parser) -> None:
    parser.add_argument(
        "--roadmap",
        metavar="SLUG",
        help="Identifiant de la feuille de route (par défaut : la plus récente).",
    )

"""Command line: ``python -m mir_genre`` (also installed as ``mir-genre``).

Subcommands
-----------
plugins
    Load every registered extractor, classifier and dataset plugin and print a table
    with its status (ok / broken / disabled).  Always exits 0: it is a report.
info
    Print the versions of mir_genre and of the libraries it depends on.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import platform
import sys
import warnings

from ._common import one_line

__all__ = [
    "discover_plugins",
    "keras_backend_text",
    "keras_devices_text",
    "main",
    "make_parser",
    "plugin_error_text",
    "summary_lines",
]

_EPILOG = """\
examples:
  python -m mir_genre plugins                    every plugin and whether it loads
  python -m mir_genre plugins --kind extractors  only the feature extractors
  python -m mir_genre info                       versions, for bug reports
  MIR_GENRE_DISABLE_PLUGIN_AUTOLOAD=1 python -m mir_genre plugins
                                                 only mir_genre's own plugins
"""

_COLUMNS = ("kind", "name", "status", "target", "distribution", "error")


def make_parser() -> argparse.ArgumentParser:
    """Build the argument parser of ``python -m mir_genre``.

    Returns
    -------
    parser : argparse.ArgumentParser
        The parser, with the ``plugins`` and ``info`` subcommands.

    Examples
    --------
    >>> from mir_genre.__main__ import make_parser
    >>> make_parser().parse_args(["plugins", "--kind", "extractors"]).kind
    'extractors'
    """
    from .registry import KINDS

    parser = argparse.ArgumentParser(
        prog="python -m mir_genre",
        description="mir_genre: music genre classification toolkit.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    plugins = sub.add_parser(
        "plugins",
        help="load every plugin and report its status",
        description="Load every registered plugin and print kind, name, status "
        "(ok/broken/disabled), target, distribution and, for broken ones, the error.",
    )
    plugins.add_argument(
        "--kind", choices=list(KINDS), default=None, help="only this kind (default: all)"
    )
    sub.add_parser("info", help="print library versions", description="Print library versions.")
    return parser


def plugin_error_text(error) -> str:
    """One line describing why a plugin is broken ("" when it is not).

    Parameters
    ----------
    error : BaseException or None
        `PluginInfo.error`.

    Returns
    -------
    str
        The original exception (``Type: message``) when the PluginError has one as its
        cause (the PluginError's own message repeats name and target), else the message.
    """
    if error is None:
        return ""
    cause = getattr(error, "__cause__", None)
    if cause is not None:
        return one_line(f"{type(cause).__name__}: {cause}")
    return one_line(error)


def discover_plugins(kind: str | None = None):
    """Load every registered plugin (disabled ones included) and return what was found.

    This is the listing that ``python -m mir_genre plugins`` and
    ``python -m mir_genre.compare --list`` both print.

    Parameters
    ----------
    kind : {"extractors", "classifiers", "datasets"} or None, default=None
        Only this kind; None for all.

    Returns
    -------
    infos : list of PluginInfo
        One per registered plugin (`mir_genre.registry.discover`).
    other_warnings : list of str
        Warnings of discovery other than the broken plugins (which ``infos`` reports),
        e.g. a name registered twice, one line each.
    """
    from .registry import discover

    # Discovery warns about every broken plugin; the listing reports them, so do not
    # print them again as Python warnings.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        infos = discover(kind, include_disabled=True)
    reported = {str(info.error) for info in infos if info.error is not None}
    other = [one_line(w.message) for w in caught if str(w.message) not in reported]
    return infos, list(dict.fromkeys(other))


def keras_backend_text() -> str:
    """Describe the Keras backend the deep classifiers would use (may import it to count GPUs)."""
    import importlib.util

    from .exceptions import ParameterError

    if importlib.util.find_spec("keras") is None:
        return "none installed (pip install 'mir_genre[keras]')"
    from .classifiers.keras.backend import choose_backend

    try:
        return str(choose_backend())
    except ParameterError as exc:
        return f"none ({one_line(exc)})"
    except Exception as exc:  # a broken keras install is reported, not fatal
        return f"unavailable ({type(exc).__name__}: {one_line(exc)})"


def keras_devices_text() -> str:
    """Name the devices the chosen Keras backend computes on (``"cpu"``, ``"gpu:0 NVIDIA H200"``).

    Imports that backend (not keras itself); ``"none"`` when keras or every backend is
    missing, so a CPU-only install reports without importing anything heavy.

    Returns
    -------
    str
        Comma-separated device names, or ``"none (...)"``.
    """
    import importlib.util

    if importlib.util.find_spec("keras") is None:
        return "none (keras is not installed)"
    from .classifiers.keras.backend import BACKENDS, choose_backend, device_names

    try:
        name = choose_backend().name
    except Exception as exc:  # no backend, or a broken one: keras_backend_text says why
        return f"none ({type(exc).__name__})"
    if name not in BACKENDS:
        return f"unknown ({name} is not one mir_genre can ask)"
    return ", ".join(device_names(name))


def summary_lines(infos) -> list[str]:
    """Return the plugins by kind, the protocols, the Keras backend and the broken plugins.

    Parameters
    ----------
    infos : list of PluginInfo
        From `discover_plugins`.

    Returns
    -------
    list of str
        ``"extractors:    chroma, mfcc_deltas, ..."`` and so on, one line each (what
        ``python -m mir_genre.compare --list`` prints before its defaults).
    """
    from .model_selection import PROTOCOLS

    lines = []
    for kind in ("datasets", "extractors", "classifiers"):
        names = [info.name for info in infos if info.kind == kind and info.status == "ok"]
        lines.append(f"{kind + ':':<15}{', '.join(names) or 'none'}")
    lines.append(f"{'protocols:':<15}{', '.join(PROTOCOLS)}")
    lines.append(f"{'keras backend:':<15}{keras_backend_text()}")
    broken = [info for info in infos if info.status == "broken"]
    lines.append(f"{'broken:':<15}{len(broken) or 'none'}")
    for info in broken:
        lines.append(
            f"  {info.kind[:-1]} {info.name} ({info.target}): {plugin_error_text(info.error)}"
        )
    disabled = [info for info in infos if info.status == "disabled"]
    if disabled:
        lines.append(
            f"{'disabled:':<15}{', '.join(f'{i.kind[:-1]} {i.name}' for i in disabled)} "
            "(MIR_GENRE_DISABLE_PLUGIN_AUTOLOAD is set)"
        )
    return lines


def _format_table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def _plugins(kind: str | None) -> int:
    infos, other = discover_plugins(kind)
    for line in other:  # e.g. duplicate names
        print(f"warning: {line}", file=sys.stderr)
    if not infos:
        print("no plugins registered")
        return 0
    rows = [_COLUMNS] + [
        (
            info.kind,
            info.name,
            info.status,
            info.target,
            info.distribution,
            plugin_error_text(info.error),
        )
        for info in infos
    ]
    print("\n".join(_format_table(rows)))
    return 0


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _info_lines() -> list[str]:
    """Return the ``info`` report, one ``'name: version'`` string per line."""
    from . import __version__

    pairs = [("mir_genre", __version__), ("python", platform.python_version())]
    pairs += [(name, _version(name)) for name in ("numpy", "scipy", "scikit-learn", "librosa")]
    pairs += [(name, _version(name)) for name in ("keras", "jax", "torch", "tensorflow")]
    pairs.append(("keras backend", keras_backend_text()))
    pairs.append(("keras devices", keras_devices_text()))
    width = max(len(name) for name, _ in pairs) + 1
    return [f"{name + ':':<{width}} {value}" for name, value in pairs]


def main(argv: list[str] | None = None) -> int:
    """Run the command line.

    Parameters
    ----------
    argv : list of str or None, default=None
        The arguments without the program name; ``None`` reads ``sys.argv[1:]``.

    Returns
    -------
    status : int
        The exit status: 0 on success.  Bad arguments exit with status 2 through
        :meth:`argparse.ArgumentParser.error`.

    Examples
    --------
    >>> from mir_genre.__main__ import main
    >>> main(["info"])  # doctest: +ELLIPSIS
    mir_genre: ...
    0
    """
    args = make_parser().parse_args(argv)
    if args.command == "plugins":
        return _plugins(args.kind)
    if args.command == "info":
        print("\n".join(_info_lines()))
        return 0
    raise AssertionError(f"unhandled command {args.command!r}")  # argparse prevents this


if __name__ == "__main__":
    raise SystemExit(main())

"""Helpers shared by the command-line tools (compare, train, predict, extract).

Dataset options, error exits, up-front checks of ``--n-jobs`` (`n_jobs_type`) and of
output places (`check_writable_file`, `check_writable_dir`: created and probed before
any work), the one-line exit on Ctrl-C (`interrupted`), and one way to report warnings:
`mir_genre._common.capture_warnings` (importable from here too) records each as one line
(``Category: message``) instead of printing a traceback-style warning (or raising one
under ``-W error``), and `print_warnings` prints those lines on stderr.  The evaluation
engine records the warnings of every fold the same way.
"""

import argparse
import inspect
import sys

from ._common import (  # noqa: F401 (re-exported)
    capture_warnings,
    check_n_jobs,
    check_writable_dir,
    check_writable_file,
    one_line,
    parse_literal,
)
from .exceptions import ParameterError

__all__ = [
    "add_dataset_arguments",
    "capture_warnings",
    "check_writable_dir",
    "check_writable_file",
    "dataset_kwargs",
    "error_exit",
    "interrupted",
    "n_jobs_type",
    "print_warnings",
    "load_dataset_from_args",
    "parse_assignment",
]


def parse_assignment(text, *, option):
    """Parse ``KEY=VALUE`` (VALUE a Python literal, or a bare string).

    Parameters
    ----------
    text : str
        The option's value.
    option : str
        The option's name, for the error message.

    Returns
    -------
    tuple of (str, object)

    Raises
    ------
    ParameterError
        When ``text`` has no ``=`` or the key is not an identifier.

    Examples
    --------
    >>> parse_assignment("subset=medium", option="--dataset-arg")
    ('subset', 'medium')
    >>> parse_assignment("n_artists=2", option="--dataset-arg")
    ('n_artists', 2)
    """
    key, eq, value = str(text).partition("=")
    key = key.strip()
    if not eq or not key.isidentifier():
        raise ParameterError(
            f"{option} takes KEY=VALUE (e.g. {option} n_artists=2); got {text!r}."
        )
    return key, parse_literal(value, bare="any")


def add_dataset_arguments(parser, *, default="synthetic"):
    """Add ``--dataset``, ``--root``, ``--metadata-dir`` and ``--dataset-arg`` to a parser.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The parser to extend.
    default : str, default="synthetic"
        Dataset used when ``--dataset`` is not given.

    Returns
    -------
    argparse._ArgumentGroup
        The group holding the options.
    """
    group = parser.add_argument_group("dataset")
    group.add_argument(
        "--dataset",
        default=default,
        metavar="NAME",
        help=f"registered dataset (default: {default}; see --list or "
        "`python -m mir_genre plugins --kind datasets`)",
    )
    group.add_argument(
        "--root",
        metavar="PATH",
        help="where the dataset is: the folder for gtzan, folder and fma; for feature_table "
        "the table (a Kaggle CSV, a Marsyas .arff, FMA's features.csv) or .npz features",
    )
    group.add_argument(
        "--metadata-dir",
        metavar="DIR",
        help="local copy of the GTZAN artist index and split lists (gtzan, feature_table)",
    )
    group.add_argument(
        "--dataset-arg",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="any other keyword of the dataset loader, e.g. n_artists=2 (repeatable)",
    )
    return group


def dataset_kwargs(args):
    """Keyword arguments for the dataset loader from parsed options.

    ``--root`` goes to the loader's first parameter (``root`` or ``path``), so every
    registered loader takes it the same way.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed options from a parser extended by `add_dataset_arguments`.

    Returns
    -------
    dict
    """
    from .registry import load_plugin

    loader = load_plugin("datasets", args.dataset)
    params = list(inspect.signature(loader).parameters.values())
    kwargs = dict(parse_assignment(a, option="--dataset-arg") for a in args.dataset_arg)
    if args.root is not None:
        first = next((p.name for p in params if p.name in ("root", "path")), None)
        if first is None:
            raise ParameterError(
                f"Dataset {args.dataset!r} takes no --root (it needs no files); drop "
                "--root or choose a dataset that reads files, e.g. --dataset gtzan."
            )
        kwargs[first] = args.root
    if args.metadata_dir is not None:
        if not any(p.name == "metadata_dir" for p in params):
            raise ParameterError(
                f"Dataset {args.dataset!r} takes no --metadata-dir; it is for gtzan, "
                "feature_table and fma."
            )
        kwargs["metadata_dir"] = args.metadata_dir
    return kwargs


def load_dataset_from_args(args):
    """Load the dataset the options name.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed options from a parser extended by `add_dataset_arguments`.

    Returns
    -------
    Dataset

    Raises
    ------
    ParameterError
        Unknown dataset name (the message lists the known ones) or a bad option.
    DataNotFoundError
        When the dataset's files are missing (the message says how to get them).
    """
    from .registry import load_dataset

    return load_dataset(args.dataset, **dataset_kwargs(args))


def error_exit(message, *, code=2):
    """Print ``message`` to stderr as the tools do and return the exit code.

    Parameters
    ----------
    message : str or Exception
        What went wrong and how to fix it.
    code : int, default=2
        Exit code to return.

    Returns
    -------
    int
    """
    print(f"error: {message}", file=sys.stderr)
    return code


def print_warnings(lines):
    """Print warning lines once each, as ``warning: Category: message`` on stderr.

    Parameters
    ----------
    lines : list of str
        From `capture_warnings` (its ``lines``).

    Returns
    -------
    list of str
        The distinct lines printed (without the ``warning:`` prefix), sorted.
    """
    distinct = list(dict.fromkeys(lines))
    for line in distinct:
        print(f"warning: {line}", file=sys.stderr)
    return sorted(distinct)


def n_jobs_type(text):
    """``type=`` of every ``--n-jobs``: joblib's rule, checked when the options are parsed.

    Parameters
    ----------
    text : str
        The option's value.

    Returns
    -------
    int
        -1 (all cores, -2 all but one, ...) or a positive number of workers.

    Raises
    ------
    argparse.ArgumentTypeError
        For 0 or a value that is not an integer (argparse names the option).

    Examples
    --------
    >>> n_jobs_type("-1"), n_jobs_type("4")
    (-1, 4)
    """
    rule = (
        "must be -1 (all cores; -2: all but one) or a positive number of workers "
        "(joblib's rule); got {!r}. Use e.g. --n-jobs 1 or --n-jobs -1."
    )
    try:
        value = int(text)
        check_n_jobs(value, name="--n-jobs")
    except (ValueError, ParameterError):
        raise argparse.ArgumentTypeError(rule.format(text)) from None
    return value


def interrupted(message):
    """Report Ctrl-C as the tools do: one line on stderr; return exit code 130.

    Parameters
    ----------
    message : str
        What was kept (and where), so the user knows what a rerun reuses.

    Returns
    -------
    int
        130 (128 + SIGINT), the shell's code for a process stopped by Ctrl-C.
    """
    print(f"interrupted: {one_line(message)}", file=sys.stderr)
    return 130

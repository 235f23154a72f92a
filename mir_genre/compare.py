"""``python -m mir_genre.compare``: extractor x classifier pipelines, evaluated honestly.

Builds every requested pipeline from the registry, evaluates each with one or more
protocols (artist-filtered k-fold by default), prints a leaderboard on stdout and, with
``--out``, writes ``results.csv``, ``results.json``, figures, ``report.md`` and a
self-contained ``report.html`` (see `mir_genre.report`).  A verbose run ends with a table on
stderr of where the time went (the ``timings`` of ``results.json``).

The evaluation itself is `mir_genre.evaluation` (each extractor configuration runs once
and only the classifier is cross-validated; unreadable tracks are left out, with a
warning naming each file and the reason); this module parses the options, prints and
writes.

Before any work, every spec is built and each parameter value checked against its rule,
and ``--out`` and ``--cache`` are created and probed, so a mistake fails at once, not hours
in.  Results are written after every finished pipeline, so Ctrl-C keeps them (and the
feature cache) and exits with status 130; a write that fails (a full disk) is reported,
naming the folder, and retried after the next pipeline.
"""

import argparse
import importlib.util
import shlex
import sys
from datetime import UTC, datetime

from ._cli import (
    add_dataset_arguments,
    check_writable_dir,
    error_exit,
    interrupted,
    load_dataset_from_args,
    n_jobs_type,
)
from ._compare_output import (
    ResultsWriter,
    Stopwatch,
    dataset_description,
    list_lines,
    print_leaderboard,
    run_timings,
    say,
    summary_line,
    timing_lines,
)
from .evaluation import (
    check_protocols,
    check_spec_fits_dataset,
    dask_cluster,
    make_splits,
    plan,
    run_pipelines,
)
from .exceptions import DataError, LeakageError, MirGenreError, ParameterError
from .provenance import dataset_checksum, library_versions

__all__ = [
    "CLASSICAL_PIPELINES",
    "DEEP_PIPELINE_CPU",
    "DEEP_PIPELINE_GPU",
    "FEATURE_PIPELINES",
    "dataset_checksum",
    "default_pipelines",
    "check_protocols",
    "main",
    "make_parser",
    "make_splits",
    "requested_specs",
    "resolve_specs",
]

#: Default pipelines for audio datasets: classical features and classifiers.  xgboost gets
#: one thread: on a few shared cores its OpenMP threads stall each other (seconds per fold
#: instead of a fraction of one), and tree building on a few hundred tracks gains nothing.
CLASSICAL_PIPELINES = (
    "tzanetakis57+mlp",
    "tzanetakis57+xgboost[n_jobs=1]",
    "mfcc_deltas+svm",
)
#: Default deep pipeline on a CPU: a narrower CNN on 32 mel bands at a hop of 1024
#: samples (a 3-s patch is 32 x 65), which trains in 6-7 s per fold on 2 cores after the
#: first fold's ~11 s of XLA compilation.  It trains a fixed 30 epochs: at this size the
#: early-stopping hold-out is a handful of artists, whose noisy loss stopped training
#: after a few epochs (accuracy near chance).  Measured on the built-in synthetic set
#: (200 tracks, 40 artists), artist:5, seed 0: 0.521 +- 0.062 (folds 0.43-0.60; the
#: same run gave 0.544 +- 0.072 when this pipeline was chosen, before later changes to
#: the deep models' training); the previous default (64 bands, hop 512) scored
#: 0.471 +- 0.152 at 40 s per fold, the same CNN on 32 bands at hop 512 0.480 at 20 s,
#: and half the filters (8, 16, 32, 32) 0.460 at 4 s.
DEEP_PIPELINE_CPU = (
    "mel_patches[n_mels=32,hop_length=1024]+cnn[filters=(16, 32, 64, 64),dense_units=64,"
    "epochs=30,batch_size=16,learning_rate=0.003,validation_fraction=0.0]"
)
#: Default deep pipeline when the Keras backend sees a GPU: the full-size CNN, 64 patches
#: a step (a synthetic training fold is ~136 tracks: a larger batch would leave a handful
#: of steps an epoch).
DEEP_PIPELINE_GPU = "mel_patches+cnn[batch_size=64]"
#: Default pipelines for datasets of ready-made features (``feature_table``).
FEATURE_PIPELINES = ("mlp", "xgboost[n_jobs=1]", "svm", "logistic_regression")
#: Default protocol.
DEFAULT_PROTOCOL = "artist:5"

# Optional dependencies of default pipelines: left out, with a note, when missing.
_NEEDS = {"xgboost": "xgboost", "cnn": "keras"}

_EPILOG = """\
examples:
  python -m mir_genre.compare
      the default pipelines on the built-in synthetic dataset, artist-filtered 5-fold
  python -m mir_genre.compare --protocol artist:5,random:5 --out results/
      also a random split, to see how much it flatters each pipeline; report in results/
  python -m mir_genre.compare --dataset gtzan --root ~/data/gtzan --protocol fault-filtered
      GTZAN's fault-filtered split (Kereliuk, Sturm & Larsen 2015)
  python -m mir_genre.compare --extractors tzanetakis57,mfcc_deltas --classifiers svm,mlp
      a grid: every extractor with every classifier
  python -m mir_genre.compare --extractors tzanetakis57,tzanetakis57+chroma --classifiers svm
      does adding chroma features to tzanetakis57 help? (a+b joins their features)
  python -m mir_genre.compare --pipelines "mel_patches[n_mels=96]+cnn[epochs=40]"
      one pipeline with parameters (Python literals in square brackets)
  python -m mir_genre.compare --dataset feature_table --root features_30_sec.csv \\
          --classifiers svm,logistic_regression
      ready-made features: a pipeline is a classifier alone
  python -m mir_genre.compare --scheduler tcp://10.0.0.5:8786 --n-jobs -1
      extraction and folds on a Dask cluster
  python -m mir_genre.compare --list
      datasets, extractors, classifiers, the Keras backend and any broken plugin

protocols:
  artist:K        K-fold over artists, stratified by genre (honest; the default)
  fault-filtered  GTZAN's artist-disjoint train/test split (fault-filtered+valid: train+valid)
  predefined      the dataset's own train/test split
  random:K        K-fold ignoring artists: only to show how much it inflates scores
"""


# --------------------------------------------------------------------------- parser


def make_parser():
    """Build the argument parser of ``python -m mir_genre.compare``.

    Returns
    -------
    argparse.ArgumentParser

    Examples
    --------
    >>> args = make_parser().parse_args(["--protocol", "artist:5,random:5", "--quiet"])
    >>> args.protocol, args.quiet, args.dataset
    ('artist:5,random:5', True, 'synthetic')
    """
    parser = argparse.ArgumentParser(
        prog="python -m mir_genre.compare",
        description="Evaluate extractor x classifier pipelines with honest (artist-filtered) "
        "protocols and print a leaderboard; optionally write CSV/JSON results, figures and "
        "an HTML report.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_dataset_arguments(parser)
    group = parser.add_argument_group("pipelines")
    group.add_argument(
        "--pipelines",
        metavar="SPECS",
        help="comma-separated pipelines 'extractor+classifier' (a classifier alone for a "
        "feature table; 'a+b+classifier' joins two extractors' features), each name with "
        "optional [param=value,...]; default: "
        f"{', '.join(CLASSICAL_PIPELINES)} and a CNN on mel_patches (audio), "
        f"{', '.join(FEATURE_PIPELINES)} (features)",
    )
    group.add_argument(
        "--extractors",
        metavar="NAMES",
        help="comma-separated extractors, combined with every --classifiers entry ('a+b' "
        "joins two)",
    )
    group.add_argument(
        "--classifiers",
        metavar="NAMES",
        help="comma-separated classifiers (alone for a feature table)",
    )
    group = parser.add_argument_group("evaluation")
    group.add_argument(
        "--protocol",
        default=DEFAULT_PROTOCOL,
        metavar="NAMES",
        help="comma-separated protocols: artist:K, fault-filtered, fault-filtered+valid, "
        f"predefined, random:K (default: {DEFAULT_PROTOCOL})",
    )
    group.add_argument(
        "--seed", type=int, default=0, help="seed of the classifiers and folds (default: 0)"
    )
    group = parser.add_argument_group("running")
    group.add_argument(
        "--n-jobs",
        type=n_jobs_type,
        default=None,
        metavar="N",
        help="parallel extraction and folds (-1: all cores; default 1, or the whole "
        "cluster with --scheduler)",
    )
    group.add_argument(
        "--cache",
        metavar="DIR",
        help="per-track feature cache (default: the 'features' folder of mir_genre's cache, "
        "$MIR_GENRE_CACHE/features when that is set)",
    )
    group.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler address (e.g. tcp://host:8786): extraction and folds run on "
        "that cluster (needs mir_genre[dask])",
    )
    group = parser.add_argument_group("output")
    group.add_argument(
        "--out",
        metavar="DIR",
        help="write results.csv, results.json, figures, report.md and report.html here",
    )
    group.add_argument(
        "--list",
        action="store_true",
        help="list datasets, extractors, classifiers, the Keras backend and broken plugins",
    )
    group.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress output (progress bars are drawn only when stderr is a terminal)",
    )
    return parser


# --------------------------------------------------------------------------- defaults


def _keras_backend():
    """Return the Keras backend the deep models would use (None: none installed)."""
    if importlib.util.find_spec("keras") is None:
        return None
    from .classifiers.keras import backend

    try:
        return backend.choose_backend()
    except ParameterError:
        return None


def default_pipelines(kind="audio", *, backend="auto"):
    """Return the pipelines compared when none are named.

    Parameters
    ----------
    kind : {"audio", "features"}, default="audio"
        The dataset's kind.
    backend : BackendChoice, None or "auto", default="auto"
        The Keras backend choice (`mir_genre.classifiers.keras.choose_backend`); "auto"
        asks it; None means no deep model.  When the backend sees a GPU the deep
        pipeline uses full-size settings, else CPU-sized ones.

    Returns
    -------
    list of str
        Pipeline specs.

    Examples
    --------
    >>> default_pipelines("features")
    ['mlp', 'xgboost[n_jobs=1]', 'svm', 'logistic_regression']
    >>> default_pipelines("audio", backend=None)
    ['tzanetakis57+mlp', 'tzanetakis57+xgboost[n_jobs=1]', 'mfcc_deltas+svm']
    """
    if kind == "features":
        return list(FEATURE_PIPELINES)
    specs = list(CLASSICAL_PIPELINES)
    if backend == "auto":
        backend = _keras_backend()
    if backend is not None:
        specs.append(DEEP_PIPELINE_GPU if backend.n_gpus > 0 else DEEP_PIPELINE_CPU)
    return specs


def _available(specs, notes):
    """Drop default pipelines whose optional dependency is missing, with a note."""
    kept = []
    for spec in specs:
        module = _NEEDS.get(spec.classifier)
        if module and importlib.util.find_spec(module) is None:
            notes.append(
                f"{spec.name} left out: it needs {module} (pip install 'mir_genre[{module}]')"
            )
            continue
        kept.append(spec)
    return kept


# --------------------------------------------------------------------------- specs


def _names(text, option):
    from .specs import parse_specs

    # parse_specs reads a lone name as a classifier: reuse it for any component name.
    specs = parse_specs(text)
    for spec in specs:
        if spec.extractor:
            raise ParameterError(
                f"{option} takes names (with optional [param=value]) separated by commas; "
                f"{str(spec)!r} joins two with '+'. Use --pipelines for whole pipelines."
            )
    return [(spec.classifier, spec.classifier_params) for spec in specs]


def _joined_names(text):
    """``--extractors``: each comma-separated entry is one extractor or several joined."""
    from .specs import parse_specs

    # Read each entry as a spec whose last part is a classifier, then move that part back.
    return [
        (*spec.extractors, (spec.classifier, spec.classifier_params)) for spec in parse_specs(text)
    ]


def requested_specs(args):
    """Return the pipelines named by ``--pipelines`` or an extractor x classifier grid.

    Every name is looked up in the registry and every pipeline built with its parameters
    checked (`mir_genre.specs.validate_pipeline`), so a typo or a bad value fails before
    any data is loaded.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed options (``pipelines``, ``extractors``, ``classifiers``).

    Returns
    -------
    list of PipelineSpec or None
        None when nothing was named (the defaults for the dataset's kind apply).  A grid
        with only ``--classifiers`` gives classifier-only specs (for feature tables).

    Raises
    ------
    ParameterError
        For bad spec syntax, an unknown or misplaced name (the message lists the known
        ones), a bad parameter value, or ``--extractors`` without ``--classifiers``.
    PluginError
        For a plugin that fails to load.
    """
    from .registry import load_plugin
    from .specs import PipelineSpec, build_pipeline, check_spec_order, parse_specs

    if args.pipelines:
        specs = parse_specs(args.pipelines)
    elif args.extractors or args.classifiers:
        classifiers = _names(args.classifiers, "--classifiers") if args.classifiers else []
        extractors = _joined_names(args.extractors) if args.extractors else []
        if extractors and classifiers:
            specs = [PipelineSpec(c, cp, e) for e in extractors for c, cp in classifiers]
        elif classifiers:
            specs = [PipelineSpec(c, p) for c, p in classifiers]
        else:
            raise ParameterError(
                "--extractors needs --classifiers: the grid pairs every extractor with every "
                "classifier, e.g. --extractors tzanetakis57,mfcc_deltas --classifiers svm,mlp."
            )
    else:
        return None
    for spec in specs:
        check_spec_order(spec)
        for name, _ in spec.extractors:
            load_plugin("extractors", name)
        if spec.classifier:
            load_plugin("classifiers", spec.classifier)
        build_pipeline(spec)  # every parameter value checked now, not when it runs
    return list({str(spec): spec for spec in specs}.values())


def resolve_specs(specs, dataset):
    """Check the requested pipelines against the dataset's kind, or pick the defaults.

    Parameters
    ----------
    specs : list of PipelineSpec or None
        From `requested_specs`; None for the defaults.
    dataset : Dataset
        The dataset; ``kind="features"`` takes classifiers alone, audio needs
        extractor+classifier.

    Returns
    -------
    specs : list of PipelineSpec
        The pipelines to compare.
    notes : list of str
        Default pipelines left out because an optional dependency is missing.

    Raises
    ------
    ParameterError
        For a spec that does not fit the dataset's kind.
    """
    from .specs import parse_spec

    notes = []
    features = dataset.kind == "features"
    if specs is None:
        kind = "features" if features else "audio"
        specs = _available([parse_spec(s) for s in default_pipelines(kind)], notes)
    for spec in specs:
        check_spec_fits_dataset(spec, dataset, option="--pipelines")
    if not specs:
        raise ParameterError("No pipeline to compare; name some with --pipelines.")
    return specs, notes


# --------------------------------------------------------------------------- main


def main(argv=None):
    """Run ``python -m mir_genre.compare`` (see `_main`); Ctrl-C before the run: one line."""
    try:
        return _main(argv)
    except KeyboardInterrupt:  # the run itself reports what it kept
        return interrupted("nothing was evaluated yet, so nothing was written.")


def _main(argv=None):
    """Run ``python -m mir_genre.compare``.

    Parameters
    ----------
    argv : list of str or None, default=None
        Command-line arguments (``sys.argv[1:]`` when None).

    Returns
    -------
    int
        0 when every pipeline finished; 1 when some failed (they are in the leaderboard),
        when the data is missing or a Dask scheduler cannot be reached; 2 for usage
        errors (unknown names, bad parameter values or options, an ``--out`` or
        ``--cache`` that cannot be written: all found before any work); 130 when
        interrupted (finished results are kept).
    """
    from .datasets._base import cache_dir

    clock = Stopwatch()
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.pipelines and (args.extractors or args.classifiers):
        parser.error(
            "--pipelines names whole pipelines; it cannot be combined with --extractors or "
            "--classifiers (which build a grid)"
        )
    if args.list:
        lines, extra = list_lines(
            CLASSICAL_PIPELINES, DEEP_PIPELINE_CPU, DEEP_PIPELINE_GPU, FEATURE_PIPELINES
        )
        print("\n".join(lines))
        for line in extra:
            print(line, file=sys.stderr)
        return 0

    try:
        protocols = check_protocols(args.protocol)
        requested = requested_specs(args)
        memory = check_writable_dir(args.cache or cache_dir("features"), what="--cache")
        out = check_writable_dir(args.out, what="--out") if args.out else None
    except MirGenreError as exc:  # unknown names, bad syntax or values, broken plugins
        return error_exit(exc)
    clock.lap("setup")
    try:
        dataset = load_dataset_from_args(args)
    except DataError as exc:  # missing files: the message says how to get them
        return error_exit(exc, code=1)
    except MirGenreError as exc:
        return error_exit(exc)
    except TypeError as exc:  # a --dataset-arg the loader does not take
        return error_exit(f"dataset {args.dataset!r}: {exc}; check --dataset-arg.")
    clock.lap("dataset")

    scheduler_jobs = -1 if args.scheduler else 1
    n_jobs = args.n_jobs if args.n_jobs is not None else scheduler_jobs
    try:
        specs, notes = resolve_specs(requested, dataset)
        splits, protocol_info, split_notes = make_splits(dataset, protocols, seed=args.seed)
        notes += split_notes
        items = plan(specs, dataset, memory=memory, n_jobs=n_jobs, seed=args.seed)
    except LeakageError as exc:
        return error_exit(exc, code=1)
    except MirGenreError as exc:  # bad parameters, protocol misfits
        return error_exit(exc)
    clock.lap("planning")
    for note in notes:
        print(f"note: {note}", file=sys.stderr)

    results = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "python -m mir_genre.compare " + shlex.join(argv),
        "seed": args.seed,
        "dataset": dataset_description(dataset, args),
        "protocols": protocol_info,
        "versions": library_versions("jax"),
        "keras_backend": None,
        "feature_cache": str(memory),
        "notes": notes,
        "interrupted": False,
        "pipelines": [],
    }
    write = ResultsWriter(out)

    def timings():
        return run_timings(clock, items, write, dataset_name=dataset.name, n_tracks=len(dataset.y))

    results["timings"] = timings()
    write(results)
    failed = 0
    # Progress bars redraw in place, which only a terminal shows as such: in a log file
    # or CI output every redraw is kept. Elsewhere the one-line summaries say enough.
    no_bars = args.quiet or not sys.stderr.isatty()
    try:
        with dask_cluster(args.scheduler, option="--scheduler"):
            for record in run_pipelines(items, dataset, splits, n_jobs=n_jobs, quiet=no_bars):
                results["pipelines"].append(record)
                failed += any(run["error"] for run in record["runs"])
                if record["deep"] and results["keras_backend"] is None:
                    from .classifiers.keras.backend import configure_backend

                    results["keras_backend"] = str(configure_backend())
                for run in record["runs"]:
                    for text in run["warnings"]:
                        print(
                            f"warning: {record['label']} [{run['protocol']}]: {text}",
                            file=sys.stderr,
                        )
                say(args.quiet, summary_line(record))
                results["timings"] = timings()
                write(results)
    except KeyboardInterrupt:
        results["interrupted"] = True
        results["timings"] = timings()
        kept = [p["label"] for p in results["pipelines"]]
        written = write(results)
        if kept:
            print_leaderboard(results)
        where = f" in {out / 'results.csv'} and {out / 'results.json'}" if written and out else ""
        return interrupted(
            f"kept {len(kept)} finished pipeline(s){where}"
            f"{': ' + ', '.join(kept) if kept else ''}; the feature cache in {memory} is kept "
            "too, so a rerun skips the extracted tracks."
        )
    except MirGenreError as exc:  # e.g. the Dask scheduler cannot be reached
        return error_exit(exc, code=1)

    print_leaderboard(results)
    if all(p["honest"] for p in protocol_info):
        say(
            args.quiet,
            f"(add random:5 to --protocol, e.g. --protocol {protocols[0]},random:5, to see how "
            "much a random split would flatter these scores)",
        )
    if write.error is not None and not write(results):
        return error_exit(write.final_error(), code=1)
    if out is not None:
        from .report import write_report

        try:
            written = write_report(results, out, seconds=clock.seconds)
        except OSError as exc:
            return error_exit(
                f"could not write the report in {out} ({type(exc).__name__}: {exc}); "
                "results.csv and results.json there hold every score.",
                code=1,
            )
        say(
            args.quiet,
            f"wrote {out / 'results.csv'}, {out / 'results.json'}, {len(written) - 2} figure(s), "
            f"{out / 'report.md'} and {out / 'report.html'}",
        )
    results["timings"] = timings()
    write(results)  # the final timings; this last write is the one thing they leave out
    say(args.quiet, "\n".join(timing_lines(results["timings"])))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

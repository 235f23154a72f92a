"""Tables, plots and reports of a pipeline comparison (``python -m mir_genre.compare``).

Everything here works on the plain, JSON-able ``results`` dictionary that
`mir_genre.compare` builds and saves as ``results.json``, so a report can be rebuilt from
a saved file without re-running anything::

    import json
    from mir_genre.report import write_report

    write_report(json.load(open("out/results.json")), "out")

The results dictionary
----------------------
``dataset``
    ``name``, ``kind``, ``n_tracks``, ``n_genres``, ``n_artists``, ``genres``, ``sha256``.
``protocols``
    One dict per protocol in the order asked: ``name`` (``"artist:5"``), ``honest``
    (artist- and track-disjoint, checked fold by fold), ``n_folds``, ``splitter``.
``pipelines``
    One dict per pipeline: ``label`` (short unique name), ``spec``, ``params``, ``deep``,
    ``extract_seconds`` and ``runs``, one per protocol, each with ``protocol``, ``error``
    (None or ``"Type: message"``), ``warnings`` and ``folds``.  A fold has ``fold``,
    ``n_train``, ``n_test``, ``accuracy``, ``macro_f1``, ``fit_seconds``,
    ``predict_seconds``, ``y_true``, ``y_pred`` and, for deep models, ``history``.
    ``extract_seconds`` is repeated on every pipeline that shares the extraction; the
    time was spent once.
``timings``
    Where the run's wall-clock time went: ``total_seconds`` (from the start of the run,
    not counting Python's start-up) and ``stages``, in the order they ran, each with
    ``stage`` and ``seconds``: ``setup`` (options, specs, folders), ``dataset``
    (``name``, ``n_tracks``: loading or synthesizing it), ``planning`` (splits,
    pipelines), one ``extraction`` per distinct extractor configuration (``name``,
    ``n_tracks``, ``pipelines`` sharing it), one ``folds`` per finished pipeline
    (``name``; ``fit_seconds`` and ``predict_seconds`` summed over its folds, also per
    entry of ``protocols``; ``extraction_in_folds`` when a fitted extractor runs inside
    every fold), ``results files`` (``n_writes``), ``figures``, ``report.html``,
    ``report.md`` and ``other``, the rest, so that the ``seconds`` add up to
    ``total_seconds``.  Parallel folds (``--n-jobs``) can sum to more fit seconds than
    their stage took.  Rewritten after every pipeline and once more at the end.

Modules
-------
``summary``
    `summarize` (the numbers) and `build_leaderboard` (the formatted rows and the
    verdict, worked out once for every renderer).
``render``
    The plain-text leaderboard (`format_leaderboard`, `headline`) and ``report.md``.
``html``
    ``report.html``, rendered by Jinja2 from ``templates/`` with autoescaping.
``plots``
    The matplotlib figures (`make_figures` and one ``plot_*`` function per figure).
``files``
    `write_results` (``results.csv``, ``results.json``) and `write_report`.
"""

from .files import RESULT_COLUMNS, write_report, write_results
from .plots import (
    make_figures,
    per_genre_f1,
    plot_confusion,
    plot_leaderboard,
    plot_learning_curves,
    plot_per_genre_f1,
    slug,
)
from .render import format_leaderboard, headline
from .summary import (
    Inflated,
    Leaderboard,
    LeaderboardRow,
    Winner,
    build_leaderboard,
    reference_protocol,
    summarize,
)

__all__ = [
    "RESULT_COLUMNS",
    "Inflated",
    "Leaderboard",
    "LeaderboardRow",
    "Winner",
    "build_leaderboard",
    "format_leaderboard",
    "headline",
    "make_figures",
    "per_genre_f1",
    "plot_confusion",
    "plot_leaderboard",
    "plot_learning_curves",
    "plot_per_genre_f1",
    "reference_protocol",
    "summarize",
    "slug",
    "write_report",
    "write_results",
]

"""A third-party distribution installed beside mir_genre, with two broken plugins.

The distribution is real as far as Python is concerned: a package and its
``.dist-info`` folder (``METADATA`` and ``entry_points.txt``, as pip writes them) on
``PYTHONPATH``.  The commands run in fresh processes, so the registry sees it exactly
as it sees an installed plugin.  One extractor works; one extractor needs a module
that is not installed; one "classifier" is a plain function.  The broken ones must be
reported by ``plugins`` and ``compare --list`` and must not stop anything else.
"""

import os
import subprocess
import sys
import textwrap

import pytest

DIST = "mir-genre-broken-demo"
PACKAGE = "mir_genre_broken_demo"
MISSING = "mir_genre_no_such_dependency"
TINY = [
    "--dataset-arg",
    "genres=['classical', 'metal']",
    "--dataset-arg",
    "n_artists=3",
    "--dataset-arg",
    "tracks_per_artist=2",
    "--dataset-arg",
    "duration=1.0",
]

GOOD = '''
"""A working extractor: loudness statistics of each clip."""

import numpy as np

from mir_genre.features import BaseExtractor


class Loudness(BaseExtractor):
    def __init__(self, sr=22050, n_jobs=None, memory=None, verbose=False):
        self.sr = sr
        self.n_jobs = n_jobs
        self.memory = memory
        self.verbose = verbose

    def _extract(self, y):
        return np.array([np.sqrt(np.mean(y**2)), np.max(np.abs(y))])

    def _feature_names(self):
        return ["rms", "peak"]
'''


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A folder holding the package and its distribution metadata."""
    root = tmp_path_factory.mktemp("site")
    package = root / PACKAGE
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "good.py").write_text(textwrap.dedent(GOOD))
    (package / "needs_missing.py").write_text(f"import {MISSING}\n\nThing = object\n")
    (package / "wrong_kind.py").write_text("def helper(x):\n    return x\n")
    info = root / f"{PACKAGE}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {DIST}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        textwrap.dedent(
            f"""\
            [mir_genre.extractors]
            demo_loudness = {PACKAGE}.good:Loudness
            demo_missing_dependency = {PACKAGE}.needs_missing:Thing

            [mir_genre.classifiers]
            demo_not_a_classifier = {PACKAGE}.wrong_kind:helper
            """
        )
    )
    return root


@pytest.fixture(scope="module")
def run(site, tmp_path_factory):
    """Run ``python -m <module> <args>`` with the distribution installed."""
    cache = tmp_path_factory.mktemp("cache")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(site), *filter(None, [os.environ.get("PYTHONPATH")])]),
        "MIR_GENRE_CACHE": str(cache),
        "KERAS_HOME": str(cache / "keras"),
        "MPLBACKEND": "Agg",
    }
    env.pop("MIR_GENRE_DISABLE_PLUGIN_AUTOLOAD", None)

    def _run(module, *args):
        return subprocess.run(
            [sys.executable, "-m", module, *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    return _run


def _row(listing, name):
    (line,) = [line for line in listing.splitlines() if line.split()[1:2] == [name]]
    return line


def test_plugins_command_reports_the_broken_ones_and_lists_the_rest(run):
    result = run("mir_genre", "plugins")
    assert result.returncode == 0, result.stderr
    good = _row(result.stdout, "demo_loudness")
    assert " ok " in good and f"{DIST} 0.1" in good
    missing = _row(result.stdout, "demo_missing_dependency")
    assert " broken " in missing and f"No module named '{MISSING}'" in missing
    wrong = _row(result.stdout, "demo_not_a_classifier")
    assert " broken " in wrong and f"{DIST} 0.1" in wrong
    assert " ok " in _row(result.stdout, "tzanetakis57")  # the core is untouched
    assert "Traceback" not in result.stderr


def test_compare_list_reports_them_too(run):
    result = run("mir_genre.compare", "--list")
    assert result.returncode == 0, result.stderr
    assert "demo_loudness" in result.stdout
    broken = result.stdout[result.stdout.index("broken") :]
    assert "demo_missing_dependency" in broken and "demo_not_a_classifier" in broken
    assert "Traceback" not in result.stderr


def test_compare_runs_the_working_plugin_beside_the_broken_ones(run):
    result = run(
        "mir_genre.compare",
        *TINY,
        "--pipelines",
        "demo_loudness+logistic_regression,tzanetakis57+demo_loudness+logistic_regression",
        "--protocol",
        "artist:3",
        "-q",
    )
    assert result.returncode == 0, result.stderr
    assert "demo_loudness+logistic_regression" in result.stdout
    assert "tzanetakis57+demo_loudness+logistic_regression" in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("pipeline", "message"),
    [
        ("demo_missing_dependency+svm", f"No module named '{MISSING}'"),
        ("tzanetakis57+demo_not_a_classifier", "demo_not_a_classifier"),
    ],
)
def test_naming_a_broken_plugin_is_a_one_line_error(run, pipeline, message):
    result = run("mir_genre.compare", *TINY, "--pipelines", pipeline, "-q")
    assert result.returncode == 2
    assert message in result.stderr and DIST in result.stderr
    assert "Traceback" not in result.stderr

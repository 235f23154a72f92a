"""The template's own tests: mir_genre's conformance suite on both plugins."""

import importlib.metadata

import pytest

from mir_genre.testing import check_plugin

try:
    importlib.metadata.distribution("mir-genre-plugin-template")
except importlib.metadata.PackageNotFoundError:
    pytest.skip(
        "the template plugin is not installed (pip install ./plugins/mir-genre-plugin-template)",
        allow_module_level=True,
    )


@pytest.mark.parametrize("name", ["rms_stats", "nearest_centroid"])
def test_plugin_conforms(name):
    check_plugin(name)


def test_plugins_work_in_a_pipeline():
    import numpy as np

    import mir_genre

    rng = np.random.default_rng(0)
    quiet, loud = 0.01 * rng.standard_normal((6, 22050)), 0.5 * rng.standard_normal((6, 22050))
    X, y = np.r_[quiet, loud], ["ambient"] * 6 + ["noise"] * 6
    pipe = mir_genre.make_pipeline("rms_stats", "nearest_centroid").fit(X, y)
    assert pipe.predict(X).tolist() == y


def test_listed_by_the_plugins_command_and_compare(capsys):
    import mir_genre.__main__
    import mir_genre.compare

    assert mir_genre.__main__.main(["plugins"]) == 0
    listing = capsys.readouterr().out
    assert "rms_stats" in listing and "mir-genre-plugin-template" in listing
    assert mir_genre.compare.main(["--list"]) == 0
    assert "nearest_centroid" in capsys.readouterr().out


@pytest.mark.parametrize(
    "module", ["mir_genre_plugin_template.extractor", "mir_genre_plugin_template.classifier"]
)
def test_docstring_examples(module):
    # Run on the installed package: the examples a user reads must stay true.
    import doctest
    import importlib

    result = doctest.testmod(
        importlib.import_module(module), optionflags=doctest.NORMALIZE_WHITESPACE
    )
    assert result.attempted > 0 and result.failed == 0

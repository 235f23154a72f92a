"""Tests for mir_genre.registry and the ``python -m mir_genre`` command line.

Plugins are faked with ``importlib.metadata.EntryPoint`` objects patched into
``registry._entry_points`` (as xarray's ``tests/test_plugins.py`` does); the "good" ones
point at real scikit-learn classes so they can be imported.
"""

import importlib.metadata
import sys
from collections import OrderedDict

import numpy as np
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from mir_genre import (
    ParameterError,
    PluginError,
    get_classifier,
    get_extractor,
    list_plugins,
    make_pipeline,
    registry,
)
from mir_genre.__main__ import _info_lines, main, make_parser
from mir_genre.registry import DISABLE_AUTOLOAD_ENV, KINDS, PluginInfo, discover, load_plugin

GOOD_EXTRACTOR = "sklearn.preprocessing:StandardScaler"
GOOD_CLASSIFIER = "sklearn.linear_model:LogisticRegression"
BROKEN = "mir_genre_no_such_module:Thing"


def ep(kind, name, value):
    return importlib.metadata.EntryPoint(name=name, value=value, group=KINDS[kind])


@pytest.fixture(autouse=True)
def fresh_registry(monkeypatch):
    monkeypatch.delenv(DISABLE_AUTOLOAD_ENV, raising=False)
    registry.refresh()
    yield
    registry.refresh()


@pytest.fixture
def install(monkeypatch):
    """Replace the installed entry points; ``install(*eps)`` sets the whole list."""
    current = []
    calls = []

    def fake_entry_points(group):
        calls.append(group)
        return [e for e in current if e.group == group]

    def _install(*eps):
        current[:] = eps

    _install.calls = calls
    monkeypatch.setattr(registry, "_entry_points", fake_entry_points)
    return _install


@pytest.fixture
def fake_dist(tmp_path):
    """A third-party distribution 'mir-genre-fake 1.2' declaring one good, one broken plugin."""
    info = tmp_path / "mir_genre_fake-1.2.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: mir-genre-fake\nVersion: 1.2\n")
    (info / "entry_points.txt").write_text(
        f"[mir_genre.extractors]\nfake_scaler = {GOOD_EXTRACTOR}\nfake_broken = {BROKEN}\n"
    )
    return importlib.metadata.PathDistribution(info)


# ---------------------------------------------------------------- listing


def test_listing_is_sorted_and_imports_nothing(install):
    install(
        ep("extractors", "zeta", "mir_genre_lazy_probe_missing:Thing"),
        ep("extractors", "alpha", GOOD_EXTRACTOR),
        ep("classifiers", "logreg", GOOD_CLASSIFIER),
    )
    assert list_plugins("extractors") == ["alpha", "zeta"]
    assert "mir_genre_lazy_probe_missing" not in sys.modules


def test_list_all_kinds(install):
    install(ep("extractors", "scaler", GOOD_EXTRACTOR), ep("classifiers", "lr", GOOD_CLASSIFIER))
    assert list_plugins() == {"extractors": ["scaler"], "classifiers": ["lr"], "datasets": []}


def test_listing_is_cached_until_refresh(install):
    install(ep("extractors", "old", GOOD_EXTRACTOR))
    assert list_plugins("extractors") == ["old"]
    assert list_plugins("extractors") == ["old"]
    assert install.calls.count(KINDS["extractors"]) == 1

    install(ep("extractors", "new", GOOD_EXTRACTOR))
    assert list_plugins("extractors") == ["old"]  # still cached
    registry.refresh()
    assert list_plugins("extractors") == ["new"]


def test_refresh_forgets_loaded_objects(install):
    install(ep("extractors", "thing", GOOD_EXTRACTOR))
    assert load_plugin("extractors", "thing") is StandardScaler
    install(ep("extractors", "thing", "sklearn.preprocessing:MinMaxScaler"))
    registry.refresh()
    assert load_plugin("extractors", "thing").__name__ == "MinMaxScaler"


@pytest.mark.parametrize("kind", ["extractor", "features", None, 3, ["extractors"]])
def test_unknown_kind(install, kind):
    with pytest.raises(ParameterError, match="kind must be one of"):
        load_plugin(kind, "x")


@pytest.mark.parametrize(
    "name", ["tzanetakis57", "mfcc_deltas", "chroma", "mel_patches", "texture", "fma518"]
)
def test_real_entry_points_list_core_extractors(name):
    # Only listed, never loaded: the feature modules may be work in progress.
    assert name in list_plugins("extractors")


# ---------------------------------------------------------------- loading


@pytest.mark.parametrize(
    ("kind", "target", "expected"),
    [
        ("extractors", GOOD_EXTRACTOR, StandardScaler),
        ("classifiers", GOOD_CLASSIFIER, LogisticRegression),
        ("classifiers", "sklearn.ensemble:RandomForestClassifier", RandomForestClassifier),
        ("datasets", "collections:OrderedDict", OrderedDict),
        ("datasets", "mir_genre.registry:PluginInfo", PluginInfo),
    ],
)
def test_load_valid_plugin_is_cached(install, kind, target, expected):
    install(ep(kind, "plugin", target))
    assert load_plugin(kind, "plugin") is expected
    assert load_plugin(kind, "plugin") is expected


def test_load_function_dataset(install):
    from sklearn.datasets import load_iris

    install(ep("datasets", "iris", "sklearn.datasets:load_iris"))
    assert load_plugin("datasets", "iris") is load_iris


def test_unknown_name_lists_installed_names(install):
    install(ep("extractors", "alpha", GOOD_EXTRACTOR), ep("extractors", "beta", GOOD_EXTRACTOR))
    with pytest.raises(ParameterError, match="Unknown extractor 'gamma'") as info:
        load_plugin("extractors", "gamma")
    message = str(info.value)
    assert "'alpha', 'beta'" in message
    assert "mir_genre.extractors" in message
    assert "python -m mir_genre plugins" in message
    assert isinstance(info.value, ValueError)


def test_unknown_name_when_none_installed(install):
    with pytest.raises(ParameterError, match="installed names are: none"):
        load_plugin("datasets", "gtzan")


def test_broken_plugin_by_name_raises_plugin_error(install):
    install(ep("extractors", "broken", BROKEN))
    with pytest.raises(PluginError) as info:
        load_plugin("extractors", "broken")
    message = str(info.value)
    assert "'broken'" in message
    assert BROKEN in message
    assert "unknown distribution" in message
    assert "ModuleNotFoundError" in message
    assert isinstance(info.value.__cause__, ModuleNotFoundError)


def test_broken_plugin_names_its_distribution(install, fake_dist):
    install(*fake_dist.entry_points)
    with pytest.raises(PluginError, match=r"dist mir-genre-fake 1\.2\) failed to load"):
        load_plugin("extractors", "fake_broken")
    assert load_plugin("extractors", "fake_scaler") is StandardScaler


@pytest.mark.parametrize(
    ("kind", "target", "reason"),
    [
        ("extractors", "os.path:join", "not a BaseEstimator subclass"),
        ("extractors", GOOD_CLASSIFIER, "no transform"),
        ("extractors", "sklearn.preprocessing:StandardScaler.fit", "not a BaseEstimator"),
        ("classifiers", GOOD_EXTRACTOR, "no predict"),
        ("classifiers", "sklearn.linear_model:LinearRegression", "not a classifier"),
        ("datasets", "math:pi", "not callable"),
    ],
)
def test_wrong_type_is_rejected(install, kind, target, reason):
    install(ep(kind, "wrong", target))
    with pytest.raises(PluginError, match=r"'wrong' \(") as info:
        load_plugin(kind, "wrong")
    message = str(info.value)
    assert reason in message
    assert "expected" in message
    assert target in message


# ---------------------------------------------------------------- discover


def test_discover_reports_broken_and_continues(install):
    install(
        ep("extractors", "a_good", GOOD_EXTRACTOR),
        ep("extractors", "broken", BROKEN),
        ep("extractors", "z_good", "sklearn.preprocessing:MinMaxScaler"),
    )
    pattern = (
        r"Extractor 'broken' \(mir_genre_no_such_module:Thing, unknown distribution\) "
        r"failed to load: ModuleNotFoundError"
    )
    with pytest.warns(RuntimeWarning, match=pattern):
        infos = discover("extractors")
    assert [(i.name, i.status) for i in infos] == [
        ("a_good", "ok"),
        ("broken", "broken"),
        ("z_good", "ok"),
    ]
    good, broken, _ = infos
    assert good.obj is StandardScaler
    assert good.error is None
    assert good.target == GOOD_EXTRACTOR
    assert broken.obj is None
    assert isinstance(broken.error, PluginError)
    assert isinstance(broken.error.__cause__, ModuleNotFoundError)


def test_discover_reports_wrong_type(install):
    install(ep("classifiers", "lr", GOOD_CLASSIFIER), ep("classifiers", "scaler", GOOD_EXTRACTOR))
    with pytest.warns(RuntimeWarning, match="Classifier 'scaler'"):
        infos = discover("classifiers")
    assert {i.name: i.status for i in infos} == {"lr": "ok", "scaler": "broken"}


def test_discover_names_distribution(install, fake_dist):
    install(*fake_dist.entry_points)
    with pytest.warns(RuntimeWarning, match=r"\(mir_genre_no_such_module:Thing, dist mir-genre"):
        infos = discover("extractors")
    assert {i.distribution for i in infos} == {"mir-genre-fake 1.2"}


def test_discover_all_kinds(install):
    install(ep("classifiers", "lr", GOOD_CLASSIFIER), ep("extractors", "scaler", GOOD_EXTRACTOR))
    infos = discover()
    assert [(i.kind, i.name) for i in infos] == [("extractors", "scaler"), ("classifiers", "lr")]


def test_plugin_info_is_frozen():
    info = PluginInfo("extractors", "x", "a:b", "unknown distribution")
    with pytest.raises(AttributeError):
        info.name = "y"


# ---------------------------------------------------------------- duplicates


@pytest.mark.parametrize("reverse", [False, True])
def test_duplicate_names_warn_and_pick_deterministically(install, reverse):
    eps = [
        ep("classifiers", "dup", GOOD_CLASSIFIER),
        ep("classifiers", "dup", "sklearn.ensemble:RandomForestClassifier"),
    ]
    install(*(reversed(eps) if reverse else eps))
    with pytest.warns(RuntimeWarning, match="'dup' is registered more than once") as record:
        assert list_plugins("classifiers") == ["dup"]
    message = str(record[0].message)
    assert GOOD_CLASSIFIER in message
    assert "sklearn.ensemble:RandomForestClassifier" in message
    # Sorted by (distribution, target): sklearn.ensemble < sklearn.linear_model.
    assert "Using sklearn.ensemble:RandomForestClassifier" in message
    assert load_plugin("classifiers", "dup") is RandomForestClassifier


@pytest.mark.parametrize("reverse", [False, True])
def test_duplicate_names_prefer_core_entry_point(install, reverse):
    eps = [
        ep("datasets", "dup", "collections:OrderedDict"),  # sorts first, but third-party
        ep("datasets", "dup", "mir_genre.registry:PluginInfo"),
    ]
    install(*(reversed(eps) if reverse else eps))
    with pytest.warns(RuntimeWarning, match="collections:OrderedDict"):
        assert load_plugin("datasets", "dup") is PluginInfo


def test_duplicate_warning_once_per_cached_listing(install):
    install(ep("extractors", "dup", GOOD_EXTRACTOR), ep("extractors", "dup", BROKEN))
    with pytest.warns(RuntimeWarning, match="more than once"):
        list_plugins("extractors")
    # Cached: no second warning (filterwarnings=error would turn it into a failure).
    assert list_plugins("extractors") == ["dup"]


def test_same_target_twice_is_not_a_conflict(install):
    install(ep("extractors", "dup", GOOD_EXTRACTOR), ep("extractors", "dup", GOOD_EXTRACTOR))
    assert list_plugins("extractors") == ["dup"]  # no warning
    assert load_plugin("extractors", "dup") is StandardScaler


# ---------------------------------------------------------------- escape hatch

CORE_AND_THIRD_PARTY = [
    ep("datasets", "core_set", "mir_genre.registry:PluginInfo"),
    ep("datasets", "third_set", "collections:OrderedDict"),
]


@pytest.mark.parametrize("value", ["1", "yes", "true"])
def test_env_var_disables_third_party(install, monkeypatch, value):
    install(*CORE_AND_THIRD_PARTY)
    monkeypatch.setenv(DISABLE_AUTOLOAD_ENV, value)
    assert list_plugins("datasets") == ["core_set"]
    with pytest.raises(ParameterError, match=DISABLE_AUTOLOAD_ENV):
        load_plugin("datasets", "third_set")
    infos = discover("datasets", include_disabled=True)
    assert [(i.name, i.status, i.obj) for i in infos] == [
        ("core_set", "ok", PluginInfo),
        ("third_set", "disabled", None),
    ]
    assert [i.name for i in discover("datasets")] == ["core_set"]


@pytest.mark.parametrize("value", ["", "0"])
def test_env_var_off_values_keep_third_party(install, monkeypatch, value):
    install(*CORE_AND_THIRD_PARTY)
    monkeypatch.setenv(DISABLE_AUTOLOAD_ENV, value)
    assert list_plugins("datasets") == ["core_set", "third_set"]


def test_env_var_read_at_listing_time(install, monkeypatch):
    install(*CORE_AND_THIRD_PARTY)
    assert list_plugins("datasets") == ["core_set", "third_set"]
    monkeypatch.setenv(DISABLE_AUTOLOAD_ENV, "1")
    registry.refresh()
    assert list_plugins("datasets") == ["core_set"]
    monkeypatch.delenv(DISABLE_AUTOLOAD_ENV)
    assert list_plugins("datasets") == ["core_set", "third_set"]


# ---------------------------------------------------------------- get_extractor / get_classifier


@pytest.fixture
def estimators(install):
    install(
        ep("extractors", "scaler", GOOD_EXTRACTOR), ep("classifiers", "logreg", GOOD_CLASSIFIER)
    )


def test_get_extractor_by_name_returns_fresh_instances(estimators):
    first = get_extractor("scaler", with_mean=False)
    second = get_extractor("scaler", with_mean=False)
    assert isinstance(first, StandardScaler)
    assert first is not second
    assert first.with_mean is False
    assert get_extractor("scaler").with_mean is True


def test_get_classifier_by_name_returns_fresh_instances(estimators):
    first = get_classifier("logreg", C=0.5)
    second = get_classifier("logreg", C=0.5)
    assert isinstance(first, LogisticRegression)
    assert first is not second
    assert first.C == 0.5


@pytest.mark.parametrize(
    ("getter", "cls", "params"),
    [
        (get_extractor, StandardScaler, {"with_std": False}),
        (get_classifier, LogisticRegression, {"C": 3.0}),
    ],
)
def test_get_accepts_classes_and_instances(getter, cls, params):
    from_class = getter(cls, **params)
    assert type(from_class) is cls
    assert from_class.get_params() == {**cls().get_params(), **params}

    original = cls()
    from_instance = getter(original, **params)
    assert type(from_instance) is cls
    assert from_instance is not original
    assert from_instance.get_params() == from_class.get_params()
    assert original.get_params() == cls().get_params()  # untouched


@pytest.mark.parametrize(
    ("getter", "bad", "match"),
    [
        (get_extractor, 42, "needs a registered extractor name"),
        (get_extractor, LogisticRegression, "no transform"),
        (get_extractor, LogisticRegression(), "needs an extractor instance"),
        (get_classifier, StandardScaler, "no predict"),
        (get_classifier, StandardScaler(), "is_classifier"),
        (get_classifier, "nope", "Unknown classifier 'nope'"),
    ],
)
def test_get_rejects_wrong_kind(estimators, getter, bad, match):
    with pytest.raises(ParameterError, match=match):
        getter(bad)


@pytest.mark.parametrize("estimator", ["logreg", LogisticRegression, LogisticRegression()])
def test_get_rejects_unknown_parameter(estimators, estimator):
    with pytest.raises(ParameterError, match="bogus"):
        get_classifier(estimator, bogus=1)


# ---------------------------------------------------------------- make_pipeline


def test_make_pipeline_with_names_and_middle_step(estimators):
    middle = StandardScaler(with_mean=False)
    pipe = make_pipeline("scaler", middle, "logreg")
    assert isinstance(pipe, Pipeline)
    assert [name for name, _ in pipe.steps] == ["scaler", "standardscaler", "logreg"]
    assert [type(step) for _, step in pipe.steps] == [
        StandardScaler,
        StandardScaler,
        LogisticRegression,
    ]
    assert pipe.steps[1][1] is not middle
    assert pipe.steps[1][1].with_mean is False

    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 3))
    y = np.array(["blues", "rock"] * 10)
    assert set(pipe.fit(X, y).predict(X)) <= {"blues", "rock"}


def test_make_pipeline_with_instances_and_classes():
    pipe = make_pipeline(StandardScaler, StandardScaler(), LogisticRegression(C=0.1))
    assert [name for name, _ in pipe.steps] == [
        "standardscaler-1",
        "standardscaler-2",
        "logisticregression",
    ]
    assert pipe[-1].C == 0.1


def test_make_pipeline_passes_memory_and_verbose(tmp_path):
    pipe = make_pipeline(StandardScaler, LogisticRegression, memory=str(tmp_path), verbose=True)
    assert pipe.memory == str(tmp_path)
    assert pipe.verbose is True


def test_make_pipeline_needs_a_classifier(estimators):
    with pytest.raises(ParameterError, match="needs a classifier"):
        make_pipeline("scaler")


@pytest.mark.parametrize(
    ("steps", "match"),
    [
        ((StandardScaler, "logreg"), "must be a transformer instance"),
        (("logreg", "logreg"), "must be a transformer instance"),
        ((StandardScaler(),), "is_classifier"),
        (("scaler",), "Unknown classifier 'scaler'"),
    ],
)
def test_make_pipeline_rejects_bad_steps(estimators, steps, match):
    with pytest.raises(ParameterError, match=match):
        make_pipeline("scaler", *steps)


def test_make_pipeline_broken_plugin(install):
    install(ep("extractors", "broken", BROKEN), ep("classifiers", "lr", GOOD_CLASSIFIER))
    with pytest.raises(PluginError, match="'broken'"):
        make_pipeline("broken", "lr")


# ---------------------------------------------------------------- command line


COLUMNS = ["kind", "name", "status", "target", "distribution", "error"]


def _table(text):
    """Parse the plugins table into {name: {column: cell}}, slicing at the header offsets."""
    header, *lines = text.rstrip("\n").splitlines()
    assert header.split() == COLUMNS
    starts = [header.index(column) for column in COLUMNS]
    bounds = list(zip(starts, [*starts[1:], None], strict=True))
    rows = [
        {c: line[a:b].strip() for c, (a, b) in zip(COLUMNS, bounds, strict=True)} for line in lines
    ]
    return {row["name"]: row for row in rows}


@pytest.fixture
def cli_plugins(install):
    install(
        ep("extractors", "scaler", GOOD_EXTRACTOR),
        ep("extractors", "broken", BROKEN),
        ep("classifiers", "logreg", GOOD_CLASSIFIER),
        ep("classifiers", "wrong", GOOD_EXTRACTOR),
        ep("datasets", "core_set", "mir_genre.registry:PluginInfo"),
        ep("datasets", "third_set", "collections:OrderedDict"),
    )


def test_cli_plugins_reports_ok_and_broken(cli_plugins, capsys):
    assert main(["plugins"]) == 0
    captured = capsys.readouterr()
    rows = _table(captured.out)
    assert {name: row["status"] for name, row in rows.items()} == {
        "scaler": "ok",
        "broken": "broken",
        "logreg": "ok",
        "wrong": "broken",
        "core_set": "ok",
        "third_set": "ok",
    }
    assert rows["broken"]["kind"] == "extractors"
    assert rows["broken"]["target"] == BROKEN
    assert rows["broken"]["distribution"] == "unknown distribution"
    assert rows["broken"]["error"].startswith("ModuleNotFoundError: No module named")
    assert "not a valid classifier plugin" in rows["wrong"]["error"]
    assert rows["scaler"]["error"] == ""
    assert captured.err == ""  # discovery warnings are not printed


def test_cli_plugins_kind_filter(cli_plugins, capsys):
    assert main(["plugins", "--kind", "classifiers"]) == 0
    assert set(_table(capsys.readouterr().out)) == {"logreg", "wrong"}


def test_cli_plugins_shows_disabled(cli_plugins, capsys, monkeypatch):
    monkeypatch.setenv(DISABLE_AUTOLOAD_ENV, "1")
    assert main(["plugins", "--kind", "datasets"]) == 0
    rows = _table(capsys.readouterr().out)
    assert {name: row["status"] for name, row in rows.items()} == {
        "core_set": "ok",
        "third_set": "disabled",
    }


def test_cli_plugins_duplicate_warning_goes_to_stderr(install, capsys):
    install(ep("extractors", "dup", GOOD_EXTRACTOR), ep("extractors", "dup", BROKEN))
    assert main(["plugins"]) == 0
    captured = capsys.readouterr()
    assert "more than once" in captured.err
    assert "dup" in _table(captured.out)


def test_cli_plugins_empty(install, capsys):
    assert main(["plugins"]) == 0
    assert "no plugins registered" in capsys.readouterr().out


def test_cli_rejects_unknown_kind(capsys):
    with pytest.raises(SystemExit) as info:
        main(["plugins", "--kind", "extractor"])
    assert info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_cli_requires_a_command(capsys):
    with pytest.raises(SystemExit) as info:
        make_parser().parse_args([])
    assert info.value.code == 2


@pytest.mark.parametrize(
    "library", ["mir_genre", "python", "numpy", "scipy", "scikit-learn", "librosa"]
)
def test_cli_info(capsys, library):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert any(line.startswith(f"{library}:") for line in out.splitlines())


def test_info_lines_marks_missing_library(monkeypatch):
    from mir_genre import __main__ as cli

    real_version = importlib.metadata.version

    def fake_version(name):
        if name == "librosa":
            raise importlib.metadata.PackageNotFoundError(name)
        return real_version(name)

    monkeypatch.setattr(cli.importlib.metadata, "version", fake_version)
    lines = _info_lines()
    assert any(line.startswith("librosa:") and line.endswith("not installed") for line in lines)

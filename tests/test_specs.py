"""Pipeline specs: parsing, round trip, errors, and the pipelines they build."""

import pytest

import mir_genre
from mir_genre import ParameterError
from mir_genre.specs import build_pipeline, parse_spec, parse_specs


@pytest.mark.parametrize(
    "text",
    [
        "tzanetakis57+svm",
        "svm",
        "mel_patches[n_mels=64,duration=5.0]+cnn[epochs=5,filters=(8, 16)]",
        "chroma[variants=('cqt',)]+knn[n_neighbors=3]",
        "tzanetakis57+chroma[n_fft=4096]+mfcc_deltas+svm",
    ],
)
def test_round_trip(text):
    spec = parse_spec(text)
    assert parse_spec(str(spec)) == spec


def test_bare_words_are_strings_and_lists_keep_inner_commas():
    a, b = parse_specs("chroma[n_fft=4096]+svm, mel_patches+cnn[filters=(4,8)]")
    assert a.extractors == (("chroma", {"n_fft": 4096}),)
    assert b.classifier_params == {"filters": (4, 8)} and b.name == "mel_patches+cnn"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("a++c", "is not a name"),
        ("", "extractor\\+classifier"),
        ("tzanetakis57[n_fft]+svm", "'n_fft' is not 'param=value'"),
        ("tzanetakis57[n_fft=1+svm", "not closed"),
        ("tzanetakis 57+svm", "is not a name"),
        ("svm[C=two words]", "not a Python literal"),
    ],
)
def test_bad_specs_say_the_rule(text, match):
    with pytest.raises(ParameterError, match=match):
        parse_spec(text)


def test_build_pipeline_fills_runtime_and_defaults_but_spec_wins(tmp_path):
    pipe = build_pipeline(
        "mel_patches[n_mels=16]+svm[C=0.5]",
        memory=tmp_path,
        n_jobs=2,
        random_state=3,
        defaults={
            "mel_patches": {"duration": 5.0, "n_mels": 99},
            "svm": {"C": 9.0, "kernel": "linear"},
        },
    )
    extractor, classifier = pipe.named_steps.values()
    assert extractor.get_params()["n_mels"] == 16  # the spec wins over the default
    assert extractor.duration == 5.0 and extractor.n_jobs == 2 and extractor.memory == tmp_path
    assert classifier.C == 0.5 and classifier.kernel == "linear" and classifier.random_state == 3


def test_build_pipeline_of_a_classifier_alone_and_unknown_names():
    assert list(build_pipeline("svm").named_steps) == ["svm"]
    with pytest.raises(ParameterError, match="svm"):  # the message lists the known names
        build_pipeline("tzanetakis57+no_such_model")


def test_joined_extractors_build_one_feature_union_step(tmp_path):
    import numpy as np
    from sklearn.pipeline import FeatureUnion

    from mir_genre.specs import extractor_members, set_runtime_params

    pipe = build_pipeline(
        "chroma[variants=('stft',)]+chroma[variants=('cens',)]+mfcc_deltas[n_mfcc=5]+svm",
        memory=tmp_path,
        n_jobs=2,
        defaults={"mfcc_deltas": {"n_mfcc": 99, "sr": 16000}, "chroma": {"sr": 16000}},
    )
    assert [name for name, _ in pipe.steps] == ["chroma+chroma+mfcc_deltas", "svm"]
    union = pipe.steps[0][1]
    assert isinstance(union, FeatureUnion)
    assert [name for name, _ in union.transformer_list] == ["chroma-1", "chroma-2", "mfcc_deltas"]
    members = extractor_members(union)
    assert [m.variants for m in members[:2]] == [("stft",), ("cens",)]
    assert members[2].n_mfcc == 5 and all(m.sr == 16000 for m in members)
    assert all(m.memory == tmp_path and m.n_jobs == 2 for m in members)
    set_runtime_params(union, verbose=True, n_jobs=1, not_a_param=0)
    assert all(m.verbose and m.n_jobs == 1 for m in members)

    rng = np.random.default_rng(0)
    X = rng.uniform(-0.5, 0.5, (6, 16000)).astype(np.float32)
    y = np.array(["a", "b"] * 3)
    pipe.fit(X, y)
    names = pipe[:-1].get_feature_names_out()
    widths = [len(m.get_feature_names_out()) for m in members]
    assert len(names) == sum(widths) == pipe[-1].n_features_in_
    assert names[0].startswith("chroma-1__") and names[-1].startswith("mfcc_deltas__")
    assert pipe.predict(X).shape == (6,)


def test_joined_extractors_share_input_params_only_where_they_agree():
    pipe = build_pipeline("mel_patches[n_mels=32]+mel_patches[n_mels=32,hop_length=256]+cnn")
    classifier = pipe[-1]
    assert classifier.n_mels == 32  # both members agree
    assert classifier.hop_length == type(classifier)().hop_length  # they disagree: untouched


def test_joined_extractors_must_read_one_sampling_rate():
    with pytest.raises(ParameterError, match=r"different sampling rates.*chroma\[sr=16000\]"):
        build_pipeline("tzanetakis57+chroma[sr=16000]+svm")


@pytest.mark.parametrize(
    "extractor",
    [
        pytest.param(lambda: "mel_patches[n_mels=64]", id="spec"),
        pytest.param(lambda: mir_genre.get_extractor("mel_patches", n_mels=64), id="instance"),
    ],
)
def test_one_builder_shape_params_follow_the_extractor(extractor):
    """make_pipeline with names or instances builds what the spec builds (regression)."""
    from_spec = build_pipeline("mel_patches[n_mels=64]+cnn")
    given = extractor()
    if isinstance(given, str):
        pipe = build_pipeline(f"{given}+cnn")
    else:
        pipe = mir_genre.make_pipeline(given, "cnn")
    assert pipe[-1].n_mels == 64  # was left at 128 by make_pipeline
    assert pipe[-1].get_params() == from_spec[-1].get_params()
    assert pipe[0].get_params() == from_spec[0].get_params()
    by_name = mir_genre.make_pipeline("mel_patches", "cnn")
    assert [n for n, _ in by_name.steps] == [n for n, _ in build_pipeline("mel_patches+cnn").steps]


def test_one_builder_refuses_a_classifier_set_to_another_shape():
    with pytest.raises(ParameterError, match=r"'cnn' is set to n_mels=96.*n_mels=64"):
        build_pipeline("mel_patches[n_mels=64]+cnn[n_mels=96]")
    with pytest.raises(ParameterError, match=r"n_mels=96.*'melpatches' with n_mels=64"):
        mir_genre.make_pipeline(
            mir_genre.get_extractor("mel_patches", n_mels=64),
            mir_genre.get_classifier("cnn", n_mels=96),
        )
    # The same value on both is fine, and a classifier instance at its defaults follows.
    assert build_pipeline("mel_patches[n_mels=64]+cnn[n_mels=64]")[-1].n_mels == 64
    cnn = mir_genre.get_classifier("cnn", epochs=2)
    pipe = mir_genre.make_pipeline(mir_genre.get_extractor("mel_patches", n_mels=32), cnn)
    assert (pipe[-1].n_mels, pipe[-1].epochs, cnn.n_mels) == (32, 2, 128)


# --------------------------------------------------------------------------- up-front checks


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (
            "mfcc_deltas[n_mfcc=abc]+svm",
            r"Pipeline spec \"mfcc_deltas\[n_mfcc='abc'\]\+svm\": The 'n_mfcc' parameter of "
            r"MFCCDeltas must be an int in the range \[1, inf\)\. Got 'abc' instead\. Fix: .*"
            r"mfcc_deltas\[n_mfcc=20\] \(its default\)",
        ),
        ("tzanetakis57+svm[C=-1.0]", r"'C' parameter of SVMClassifier must be a float"),
        ("tzanetakis57[n_fft=0]+chroma+svm", r"tzanetakis57\[n_fft=\.\.\.\]"),
        ("tzanetakis57+chroma[n_fft='big']+svm", r"chroma\[n_fft=\.\.\.\]"),
        ("mel_patches+cnn[epochs=0]", r"'epochs' parameter of GenreCNN"),
    ],
)
def test_build_pipeline_checks_every_parameter_value_at_once(text, match):
    with pytest.raises(ParameterError, match=match):
        build_pipeline(text)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("svm+tzanetakis57", r"'svm' is a classifier; .* e\.g\. tzanetakis57\+svm\.$"),
        ("tzanetakis57", r"'tzanetakis57' is an extractor; .* e\.g\. tzanetakis57\+svm\.$"),
        ("mfcc_deltas+chroma", r"'chroma' is an extractor; .* e\.g\. mfcc_deltas\+chroma\+svm"),
        ("knn+svm", r"'knn' is a classifier; .* e\.g\. tzanetakis57\+knn\.$"),
    ],
)
def test_spec_order_errors_name_the_misplaced_name(text, match):
    with pytest.raises(ParameterError, match=match):
        build_pipeline(text)


def test_validate_pipeline_passes_a_good_pipeline_unchanged():
    from mir_genre.specs import validate_pipeline

    pipe = build_pipeline("tzanetakis57+chroma+svm[C=2.0]")
    assert validate_pipeline(pipe, spec="x") is pipe
    made = mir_genre.make_pipeline("mfcc_deltas", "svm")
    made.steps[0][1].set_params(n_mfcc=0)
    with pytest.raises(ParameterError, match=r"^Pipeline: The 'n_mfcc' parameter"):
        validate_pipeline(made)


@pytest.mark.parametrize("n_jobs", [0, 2.0])
def test_build_pipeline_and_evaluate_refuse_n_jobs_zero(n_jobs):
    with pytest.raises(ParameterError, match=r"n_jobs must be None, -1 \(all cores\)"):
        build_pipeline("tzanetakis57+svm", n_jobs=n_jobs)
    ds = mir_genre.load_dataset(
        "synthetic", genres=["jazz", "rock"], n_artists=2, tracks_per_artist=1, duration=0.1
    )
    with pytest.raises(ParameterError, match=r"n_jobs=1 or n_jobs=-1"):
        mir_genre.evaluate("tzanetakis57+svm", ds, "artist:2", n_jobs=n_jobs)


def test_evaluate_refuses_a_memory_under_a_file(tmp_path):
    (tmp_path / "afile").write_text("x")
    ds = mir_genre.load_dataset(
        "synthetic", genres=["jazz", "rock"], n_artists=2, tracks_per_artist=1, duration=0.1
    )
    with pytest.raises(ParameterError, match=r"memory '.*afile.c' cannot be created: .*afile"):
        mir_genre.evaluate("tzanetakis57+svm", ds, "artist:2", memory=tmp_path / "afile" / "c")


def test_evaluate_checks_values_before_extracting(monkeypatch):
    from mir_genre.evaluation import pipelines

    def no_extraction(*args, **kwargs):
        raise AssertionError("extraction started before the parameters were checked")

    monkeypatch.setattr(pipelines, "extract_features", no_extraction)
    ds = mir_genre.load_dataset(
        "synthetic", genres=["jazz", "rock"], n_artists=2, tracks_per_artist=1, duration=0.1
    )
    with pytest.raises(ParameterError, match="n_mfcc"):
        mir_genre.evaluate("tzanetakis57+svm,mfcc_deltas[n_mfcc=-3]+svm", ds, "artist:2")

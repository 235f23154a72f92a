"""Pipeline specs: parsing, round trip, errors, and the pipelines they build."""

import pytest

from mir_genre import ParameterError
from mir_genre.specs import build_pipeline, parse_spec, parse_specs


@pytest.mark.parametrize(
    "text",
    [
        "tzanetakis57+svm",
        "svm",
        "mel_patches[n_mels=64,duration=5.0]+cnn[epochs=5,filters=(8, 16)]",
        "chroma[kind='cqt']+knn[n_neighbors=3]",
    ],
)
def test_round_trip(text):
    spec = parse_spec(text)
    assert parse_spec(str(spec)) == spec


def test_bare_words_are_strings_and_lists_keep_inner_commas():
    a, b = parse_specs("chroma[kind=cens]+svm, mel_patches+cnn[filters=(4,8)]")
    assert a.extractor_params == {"kind": "cens"}
    assert b.classifier_params == {"filters": (4, 8)} and b.name == "mel_patches+cnn"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("a+b+c", "extractor\\+classifier"),
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

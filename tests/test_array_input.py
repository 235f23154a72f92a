"""Audio arrays that cannot be a batch get a ParameterError naming the rule and the fix."""

import re

import numpy as np
import pytest
import scipy.sparse

import mir_genre
from mir_genre.audio import as_audio_batch
from mir_genre.exceptions import ParameterError
from mir_genre.features import MFCCDeltas

from .conftest import make_tone

N = 2048


def _clips(n=3, length=N):
    return np.stack([make_tone(length / 22050, seed=i)[:length] for i in range(n)])


def _with(value):
    X = _clips()
    X[1, 10] = value
    return X


# (X, the rule, the fix): each message must name both.
BAD = [
    pytest.param(_with(np.nan), r"1 NaN or infinite", r"np\.nan_to_num", id="nan"),
    pytest.param(_with(np.inf), r"1 NaN or infinite", r"np\.nan_to_num", id="inf"),
    pytest.param(_with(-np.inf), r"finite", r"nan_to_num", id="-inf"),
    pytest.param(
        np.zeros((3, 2, N), np.float32), r"3-D array of shape \(3, 2, 2048\)",
        r"mono, e\.g\. X\.mean\(axis=1\)", id="stereo-channels-first",
    ),
    pytest.param(
        np.zeros((3, N, 2), np.float32), r"of mono clips; got a 3-D",
        r"X\.mean\(axis=-1\)", id="stereo-channels-last",
    ),
    pytest.param(
        np.zeros((0, N), np.float32), r"0 sample\(s\) \(shape=\(0, 2048\)\)",
        r"Pass at least one clip", id="no-clips",
    ),
    pytest.param(
        np.zeros((3, 0), np.float32), r"0 feature\(s\).*clips hold no audio samples",
        r"Pass at least one clip", id="no-samples",
    ),
    pytest.param([], r"empty X: no clips", r"file paths", id="empty-list"),
    pytest.param(
        [np.zeros(N), np.zeros(N - 100)], r"2 clips of different lengths \(1948 to 2048",
        r"np\.stack needs equal lengths.*librosa\.util\.fix_length.*file paths", id="ragged",
    ),
    pytest.param(
        np.array([np.zeros(N), np.zeros(10)], dtype=object), r"different lengths",
        r"fix_length", id="ragged-object-array",
    ),
    pytest.param(
        [[0.0] * N, [0.0] * 7], r"different lengths \(7 to 2048", r"fix_length",
        id="ragged-lists",
    ),
    pytest.param(
        ["a.wav", np.zeros(N)], r"file paths or as audio, not both: item 1 is ndarray",
        r"Pass only paths", id="paths-and-clips",
    ),
    pytest.param(
        [np.zeros(N), None], r"item 1 is NoneType", r"Remove it", id="none-item",
    ),
    pytest.param(
        np.zeros((2, N), np.complex64), r"Complex data not supported", r"X\.real",
        id="complex",
    ),
    pytest.param(
        np.zeros((2, N), np.int16), r"integer array \(dtype int16\)",
        r"astype\(np\.float32\) / 32768", id="int16",
    ),
    pytest.param(
        np.zeros((2, N), bool), r"integer array \(dtype bool\)", r"astype", id="bool",
    ),
    pytest.param(
        np.zeros(N, np.float32), r"1-D array of shape \(2048,\)", r"X\[np\.newaxis, :\]",
        id="1-d",
    ),
    pytest.param(
        scipy.sparse.csr_matrix(np.ones((2, N))), r"dense audio", r"toarray", id="sparse",
    ),
]  # fmt: skip


@pytest.fixture(scope="module")
def extractor():
    return MFCCDeltas(**MFCCDeltas.get_test_params())


@pytest.mark.parametrize(("X", "rule", "fix"), BAD)
@pytest.mark.parametrize("method", ["fit", "transform", "fit_transform"])
def test_bad_batch_names_rule_and_fix(extractor, X, rule, fix, method):
    est = extractor.fit(_clips()) if method == "transform" else extractor
    with pytest.raises(ParameterError) as info:
        getattr(est, method)(X)
    message = str(info.value)
    assert isinstance(info.value, ValueError)  # scikit-learn's checks expect ValueError
    assert re.search(rule, message), message
    assert re.search(fix, message), message


@pytest.mark.parametrize(("X", "rule", "fix"), [p for p in BAD if p.id != "sparse"])
def test_as_audio_batch_alone(X, rule, fix):
    with pytest.raises(ParameterError, match=rule):
        as_audio_batch(X, name="Mine")


def test_messages_name_the_estimator(extractor):
    with pytest.raises(ParameterError, match=rf"^{type(extractor).__name__} expects X"):
        extractor.transform(np.zeros((3, 2, N), np.float32))


def test_segment_voting_shares_the_rules():
    from mir_genre.classifiers.segment import SegmentVoting

    est = SegmentVoting(
        MFCCDeltas(**MFCCDeltas.get_test_params()),
        mir_genre.get_classifier("logistic_regression"),
        segment_seconds=0.005,
    )
    with pytest.raises(ParameterError, match=r"np\.stack needs equal lengths"):
        est.fit([np.zeros(N), np.zeros(N // 2)], ["a", "b"])


def test_nested_sequence_numpy_cannot_stack(extractor):
    # A clip list whose items are themselves ragged: numpy refuses, we say what to do.
    X = [[np.zeros(3), np.zeros(4)], [np.zeros(3), np.zeros(4)]]
    with pytest.raises(ParameterError, match=r"numpy cannot stack.*np\.stack.*fix_length"):
        extractor.fit_transform(X)


# float16 (lossless to float32) and object arrays of numbers are accepted, not refused.
@pytest.mark.parametrize(
    "convert",
    [
        pytest.param(lambda X: X.astype(np.float16), id="float16"),
        pytest.param(lambda X: X.astype(object), id="object-numbers"),
        pytest.param(lambda X: [list(row) for row in X], id="list-of-lists"),
        pytest.param(lambda X: list(X), id="list-of-arrays"),
    ],
)
def test_convertible_batches_are_accepted(extractor, convert):
    X = _clips().astype(np.float16).astype(np.float32)  # values float16 can hold exactly
    expected = extractor.fit_transform(X)
    np.testing.assert_allclose(extractor.fit_transform(convert(X)), expected, rtol=1e-5)

"""fma518: FMA's 518 features, its column layout, values against librosa, conformance."""

import io

import numpy as np
import pandas as pd
import pytest

from mir_genre.exceptions import ParameterError
from mir_genre.features.fma import (
    FMA518,
    FMA518_NAMES,
    fma518,
    fma_columns,
    fma_names,
)
from mir_genre.testing import check_plugin

# Rows per feature as the FMA paper lists them (x 7 statistics = 518 columns).
ROWS = {
    "chroma_cens": 12,
    "chroma_cqt": 12,
    "chroma_stft": 12,
    "mfcc": 20,
    "rmse": 1,
    "spectral_bandwidth": 1,
    "spectral_centroid": 1,
    "spectral_contrast": 7,
    "spectral_rolloff": 1,
    "tonnetz": 6,
    "zcr": 1,
}
STATS = {"mean", "std", "skew", "kurtosis", "median", "min", "max"}

# The first columns of a header in the layout of FMA's features.csv (three header rows,
# then the index's name row), written by hand: the shape, not a copy of the file.
FMA_HEADER_HEAD = """\
feature,chroma_cens,chroma_cens,chroma_cens,chroma_cens,chroma_cens,chroma_cens,chroma_cens,chroma_cens,chroma_cens,chroma_cens,chroma_cens,chroma_cens,chroma_cens
statistics,kurtosis,kurtosis,kurtosis,kurtosis,kurtosis,kurtosis,kurtosis,kurtosis,kurtosis,kurtosis,kurtosis,kurtosis,max
number,01,02,03,04,05,06,07,08,09,10,11,12,01
track_id,,,,,,,,,,,,,
2,1.0,2.0,3.0,4.0,5.0,6.0,7.0,8.0,9.0,10.0,11.0,12.0,13.0
"""  # noqa: E501

# Its last columns: zcr's seven statistics in sorted order.
FMA_HEADER_TAIL = """\
feature,zcr,zcr,zcr,zcr,zcr,zcr,zcr
statistics,kurtosis,max,mean,median,min,skew,std
number,01,01,01,01,01,01,01
track_id,,,,,,,
2,1.0,2.0,3.0,4.0,5.0,6.0,7.0
"""


def _read(text):
    return pd.read_csv(io.StringIO(text), header=[0, 1, 2], index_col=0)


# -- names and layout ------------------------------------------------------------------


def test_518_distinct_names_in_three_levels():
    names = FMA518().get_feature_names_out()
    assert len(names) == 518 == len(set(names))
    parts = [n.split("__") for n in names]
    assert all(len(p) == 3 for p in parts)
    counts = {}
    for feature, stat, number in parts:
        assert stat in STATS
        counts.setdefault(feature, set()).add((stat, number))
    assert {f: len(v) for f, v in counts.items()} == {f: 7 * r for f, r in ROWS.items()}
    assert {n for f, s, n in parts if f == "mfcc"} == {f"{i:02d}" for i in range(1, 21)}


def test_order_is_fma_sorted_multiindex():
    columns = fma_columns(FMA518().get_feature_names_out())
    assert columns.names == ["feature", "statistics", "number"]
    assert columns.is_monotonic_increasing
    assert columns.equals(columns.sort_values())
    assert columns[0] == ("chroma_cens", "kurtosis", "01")
    assert columns[-1] == ("zcr", "std", "01")


@pytest.mark.parametrize(("text", "where"), [(FMA_HEADER_HEAD, "head"), (FMA_HEADER_TAIL, "tail")])
def test_names_match_a_header_in_fmas_layout(text, where):
    table = _read(text)
    names = fma_names(table.columns)
    ours = list(FMA518_NAMES)
    expected = ours[: len(names)] if where == "head" else ours[-len(names) :]
    assert names == expected
    # ... and back: our names give the MultiIndex pandas read (numbers as strings).
    assert fma_columns(names).equals(table.columns)
    assert table.columns.names == ["feature", "statistics", "number"]


def test_round_trip_and_integer_numbers():
    assert fma_names(fma_columns(FMA518_NAMES)) == list(FMA518_NAMES)
    assert fma_names([("mfcc", "mean", 3)]) == ["mfcc__mean__03"]


def test_bad_names_are_refused():
    with pytest.raises(ParameterError, match="three non-empty parts"):
        fma_columns(["mfcc_mean_01"])
    with pytest.raises(ParameterError, match="three levels"):
        fma_names([("mfcc", "mean")])


def test_set_output_pandas_then_fma_columns():
    X = np.random.default_rng(0).uniform(-0.5, 0.5, size=(2, 4096))
    df = FMA518().set_output(transform="pandas").fit_transform(X)
    wide = df.set_axis(fma_columns(df.columns), axis=1)
    assert wide["zcr", "max", "01"].shape == (2,)
    assert wide["mfcc"].shape == (2, 140)


# -- values ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def blues(gtzan_dir):
    import soundfile as sf

    path = gtzan_dir / "sample" / "blues" / "blues.00000.wav"
    if not path.exists():
        pytest.skip(f"{path.name} not in the GTZAN sample")
    y, sr = sf.read(path, dtype="float32")
    assert sr == 22050
    return path, y - np.mean(y, dtype=np.float64).astype(np.float32)


@pytest.fixture(scope="module")
def blues_features(blues):
    path, _ = blues
    return pd.Series(FMA518().transform([path])[0], index=FMA518_NAMES)


def test_values_equal_direct_librosa(blues, blues_features):
    import librosa
    from scipy import stats

    _, y = blues
    f = blues_features
    mfcc = librosa.feature.mfcc(y=y, sr=22050, n_mfcc=20, n_fft=2048, hop_length=512)
    np.testing.assert_allclose(
        f[[f"mfcc__mean__{i:02d}" for i in range(1, 21)]], mfcc.mean(axis=1), rtol=1e-4
    )
    zcr = librosa.feature.zero_crossing_rate(y, frame_length=2048, hop_length=512)
    assert f["zcr__max__01"] == pytest.approx(zcr.max())
    assert f["zcr__kurtosis__01"] == pytest.approx(stats.kurtosis(zcr[0]))

    # tonnetz of chroma_cens of a 12-bin-per-octave, 7-octave CQT whose tuning librosa
    # estimates from the signal (tuning=None; its default is 0).
    C = np.abs(
        librosa.cqt(y, sr=22050, hop_length=512, n_bins=84, bins_per_octave=12, tuning=None)
    )
    cens = librosa.feature.chroma_cens(C=C, sr=22050, bins_per_octave=12, n_octaves=7)
    tonnetz = librosa.feature.tonnetz(chroma=cens)
    np.testing.assert_allclose(
        f[[f"tonnetz__median__{i:02d}" for i in range(1, 7)]],
        np.median(tonnetz, axis=1),
        rtol=1e-4,
        atol=1e-6,
    )
    np.testing.assert_allclose(
        f[[f"chroma_cens__skew__{i:02d}" for i in range(1, 13)]],
        stats.skew(cens, axis=1),
        rtol=1e-4,
        atol=1e-6,
    )
    S = np.abs(librosa.stft(y, n_fft=2048, hop_length=512))
    contrast = librosa.feature.spectral_contrast(S=S, sr=22050, n_bands=6)
    np.testing.assert_allclose(
        f[[f"spectral_contrast__std__{i:02d}" for i in range(1, 8)]],
        contrast.std(axis=1),
        rtol=1e-4,
    )
    chroma = librosa.feature.chroma_stft(y=y, sr=22050, n_fft=2048, hop_length=512)
    np.testing.assert_allclose(
        f[[f"chroma_stft__mean__{i:02d}" for i in range(1, 13)]], chroma.mean(axis=1), rtol=1e-4
    )
    rolloff = librosa.feature.spectral_rolloff(y=y, sr=22050, n_fft=2048, hop_length=512)
    assert f["spectral_rolloff__min__01"] == pytest.approx(rolloff.min(), rel=1e-5)
    rms = librosa.feature.rms(S=S, frame_length=2048)
    assert f["rmse__max__01"] == pytest.approx(rms.max(), rel=1e-5)


def test_array_and_file_give_the_same_row(blues, blues_features):
    _, y = blues
    row = FMA518(remove_dc=False).transform(y[None, :])[0]
    np.testing.assert_allclose(row, blues_features.to_numpy(), rtol=1e-5, atol=1e-6)


def test_silence_is_finite_with_fma_era_moments():
    f = pd.Series(fma518(y=np.zeros(22050, dtype=np.float32)), index=FMA518_NAMES)
    assert np.isfinite(f).all()
    assert f["zcr__skew__01"] == 0.0
    assert f["zcr__kurtosis__01"] == -3.0


def test_features_with_different_frame_counts_are_summarised_apart(monkeypatch):
    from mir_genre.features import fma
    from mir_genre.features._spectral import quiet_degenerate

    y = np.random.default_rng(1).uniform(-0.5, 0.5, 8192).astype(np.float32)
    whole = pd.Series(fma518(y=y), index=FMA518_NAMES)
    compute = fma._frame_features
    monkeypatch.setattr(
        fma, "_frame_features", lambda *a: {**compute(*a), "zcr": compute(*a)["zcr"][:, :-1]}
    )
    apart = pd.Series(fma518(y=y), index=FMA518_NAMES)
    zcr = [n for n in FMA518_NAMES if n.startswith("zcr__")]
    with quiet_degenerate():  # the short clip's lowest CQT octaves are padded
        zcr_short = compute(y, 22050, 2048, 512)["zcr"][0, :-1]
    assert apart["zcr__max__01"] == zcr_short.max()
    assert apart["zcr__mean__01"] == pytest.approx(zcr_short.mean())
    np.testing.assert_allclose(apart.drop(zcr), whole.drop(zcr), rtol=1e-9, atol=1e-12)


def test_hop_length_must_suit_the_cqt():
    with pytest.raises(ParameterError, match="multiple of 64"):
        FMA518(hop_length=500).fit(np.zeros((1, 4096)))


# -- conformance -------------------------------------------------------------------------


# scikit-learn's estimator checks run on every registered extractor in tests/test_common.py.


def test_check_plugin():
    passed = check_plugin(FMA518, kind="extractors", estimator_checks=False)
    assert {"both input forms", "pickling"} <= set(passed)

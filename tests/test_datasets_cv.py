"""Every dataset plugs into cross_val_score with ArtistKFold, without leakage."""

import numpy as np
from sklearn.model_selection import cross_val_score

import mir_genre
from mir_genre.model_selection import ArtistKFold, FaultFilteredSplit, check_no_leakage


def test_gtzan_sample_artist_cv_end_to_end(gtzan_dir, tmp_path):
    ds = mir_genre.load_dataset("gtzan", root=gtzan_dir / "sample", metadata_dir=gtzan_dir)
    assert len(ds) == 20
    cv = ArtistKFold(2)
    assert check_no_leakage(cv, ds.X, ds.y, ds.groups) == 2
    pipe = mir_genre.make_pipeline(
        mir_genre.get_extractor("mfcc_deltas", memory=tmp_path / "cache"), "logistic_regression"
    )
    scores = cross_val_score(pipe, ds.X, ds.y, groups=ds.groups, cv=cv)
    assert scores.shape == (2,) and np.isfinite(scores).all()


def test_feature_table_artist_and_fault_filtered(gtzan_dir):
    ds = mir_genre.load_dataset(
        "feature_table", path=gtzan_dir / "features_30_sec.csv", metadata_dir=gtzan_dir
    )
    clf = mir_genre.get_classifier("logistic_regression")
    artist = cross_val_score(clf, ds.X, ds.y, groups=ds.groups, cv=ArtistKFold(5))
    fault = cross_val_score(clf, ds.X, ds.y, cv=FaultFilteredSplit(ds))
    # Measured: 0.559 (artist 5-fold) and 0.559 (fault-filtered); random 5-fold gives 0.717.
    assert 0.45 < artist.mean() < 0.65
    assert 0.45 < fault[0] < 0.65
    assert check_no_leakage(FaultFilteredSplit(ds), ds.X, ds.y, ds.groups) == 1


def test_three_second_table_never_straddles(gtzan_dir):
    ds = mir_genre.load_dataset(
        "feature_table",
        path=gtzan_dir / "features_3_sec_partial_classical_jazz_rock.csv",
        metadata_dir=gtzan_dir,
    )
    assert check_no_leakage(ArtistKFold(5), ds.X, ds.y, ds.groups, track_ids=ds.track_ids) == 5


def test_synthetic_artist_cv_with_a_named_pipeline():
    ds = mir_genre.load_dataset(
        "synthetic",
        genres=["jazz", "metal", "reggae"],
        n_artists=3,
        tracks_per_artist=2,
        duration=2.0,
        cache=None,
    )
    cv = ArtistKFold(3)
    assert check_no_leakage(cv, ds.X, ds.y, ds.groups) == 3
    pipe = mir_genre.make_pipeline(
        mir_genre.get_extractor("mfcc_deltas", n_mfcc=13), "logistic_regression"
    )
    scores = cross_val_score(pipe, ds.X, ds.y, groups=ds.groups, cv=cv)
    assert scores.mean() > 1 / 3  # above chance on unseen artists

"""Dataset options shared by the command-line tools."""

import argparse

import pytest

from mir_genre import ParameterError
from mir_genre._cli import add_dataset_arguments, dataset_kwargs, parse_assignment


def _args(*argv):
    parser = argparse.ArgumentParser()
    add_dataset_arguments(parser)
    return parser.parse_args(argv)


def test_root_goes_to_the_loaders_first_file_parameter():
    assert dataset_kwargs(_args("--dataset", "gtzan", "--root", "g")) == {"root": "g"}
    kwargs = dataset_kwargs(
        _args("--dataset", "feature_table", "--root", "f.csv", "--metadata-dir", "m")
    )
    assert kwargs == {"path": "f.csv", "metadata_dir": "m"}


def test_dataset_args_are_literals():
    args = _args("--dataset-arg", "n_artists=2", "--dataset-arg", "genres=['jazz', 'rock']")
    assert dataset_kwargs(args) == {"n_artists": 2, "genres": ["jazz", "rock"]}


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["--root", "x"], "takes no --root"),
        (["--metadata-dir", "x"], "takes no --metadata-dir"),
        (["--dataset-arg", "oops"], "KEY=VALUE"),
        (["--dataset", "no_such_set"], "synthetic"),  # lists the known names
    ],
)
def test_bad_dataset_options(argv, match):
    with pytest.raises(ParameterError, match=match):
        dataset_kwargs(_args(*argv))


def test_parse_assignment_keeps_bare_strings():
    assert parse_assignment("subset=medium", option="--x") == ("subset", "medium")


@pytest.mark.parametrize("text", ["0", "1.5", "all", ""])
def test_n_jobs_type_states_joblibs_rule(text):
    from mir_genre._cli import n_jobs_type

    with pytest.raises(argparse.ArgumentTypeError, match=r"-1 \(all cores.*--n-jobs 1"):
        n_jobs_type(text)
    assert n_jobs_type("-1") == -1 and n_jobs_type("3") == 3 and n_jobs_type("-2") == -2


def test_interrupted_is_one_line_and_130(capsys):
    from mir_genre._cli import interrupted

    assert interrupted("kept 2 pipelines;\n the cache too") == 130
    assert capsys.readouterr().err == "interrupted: kept 2 pipelines; the cache too\n"

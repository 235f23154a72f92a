"""The README's first lines are the two commands a newcomer types; CI runs the second."""

import re

import pytest

import mir_genre.compare

from .conftest import REPO


def _setup_commands():
    text = (REPO / "README.md").read_text()
    block = re.search(r"```bash\n(.*?)```", text, re.S)
    assert block and text.index(block.group(0)) < 200, "the commands must open the README"
    return [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_readme_opens_with_two_setup_commands():
    main_job, tests = _setup_commands()
    assert main_job.startswith('pip install ".') and "python -m mir_genre.compare" in main_job
    assert tests.startswith("pip install") and "pytest" in tests


def test_ci_runs_the_readme_test_command():
    _, tests = _setup_commands()
    assert tests in (REPO / ".ci" / "run").read_text()


def test_readme_main_job_runs(capsys, tmp_path):
    main_job, _ = _setup_commands()
    module_args = main_job.split("python -m ", 1)[1].split()
    module, args = module_args[0], module_args[1:]
    if module != "mir_genre.compare":
        pytest.fail(f"update this test for the README's main job: {module}")
    # The README's run with its default pipelines and protocol, on a smaller synthetic set
    # so that it takes seconds (the full default run is timed in the README).
    tiny = ["genres=['classical', 'metal']", "n_artists=5", "tracks_per_artist=1"]
    tiny = [arg for value in [*tiny, "duration=1.0"] for arg in ("--dataset-arg", value)]
    code = mir_genre.compare.main([*args, *tiny, "--quiet", "--cache", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0, out
    for name in ("tzanetakis57+mlp", "tzanetakis57+xgboost", "mfcc_deltas+svm", "+cnn"):
        assert name in out
    assert "best honest pipeline under artist:5" in out

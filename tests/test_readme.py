"""The README's first lines are the two commands a newcomer types; CI runs the second."""

import re

import pytest

import mir_genre.extract

from .conftest import REPO


def _setup_commands():
    text = (REPO / "README.md").read_text()
    block = re.search(r"```bash\n(.*?)```", text, re.S)
    assert block and text.index(block.group(0)) < 200, "the commands must open the README"
    return [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_readme_opens_with_two_setup_commands():
    main_job, tests = _setup_commands()
    assert main_job.startswith("pip install .") and "python -m mir_genre" in main_job
    assert tests.startswith("pip install") and "pytest" in tests


def test_ci_runs_the_readme_test_command():
    _, tests = _setup_commands()
    assert tests in (REPO / ".ci" / "run").read_text()


def test_readme_main_job_runs(capsys):
    main_job, _ = _setup_commands()
    module_args = main_job.split("python -m ", 1)[1].split()
    module, args = module_args[0], module_args[1:]
    if module != "mir_genre.extract":
        pytest.fail(f"update this test for the README's main job: {module}")
    assert mir_genre.extract.main([*args, "--quiet"]) == 0
    assert capsys.readouterr().out.startswith("filename,chroma_stft_mean")

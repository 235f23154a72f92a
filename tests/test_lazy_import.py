"""``import mir_genre`` and listing plugins must not import heavy optional dependencies.

Like xarray's ``test_lazy_import``: one fresh interpreter (module-scoped fixture), then one
parametrized assertion per module so that each failure is reported on its own.
"""

import json
import subprocess
import sys

import pytest

HEAVY = ["keras", "xgboost", "jax", "torch", "tensorflow"]

CODE = """
import json, sys
import mir_genre
mir_genre.list_plugins()
print(json.dumps(sorted(sys.modules)))
"""


@pytest.fixture(scope="module")
def imported_modules():
    result = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_mir_genre_was_imported(imported_modules):
    assert {"mir_genre", "mir_genre.registry"} <= imported_modules


@pytest.mark.parametrize("module", HEAVY)
def test_heavy_module_not_imported(imported_modules, module):
    loaded = sorted(m for m in imported_modules if m == module or m.startswith(f"{module}."))
    assert not loaded, f"`import mir_genre; mir_genre.list_plugins()` imported {loaded}"

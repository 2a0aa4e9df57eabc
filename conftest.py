"""Bare ``pytest`` anywhere inside the clone runs the project's tests.

pytest uses ``testpaths`` only when it is started in the root folder; started in a sub-folder that
holds no tests (``backprop_derive``, ``notes/``, ``benchmarks/``) it would report "no tests ran".  Here a
run with no paths on the command line, started inside the clone, gets ``testpaths`` -- unless it
checks derivations (``--derivations``), which collect only what they name.

Hypothesis keeps its files (examples database, constants cache) in a temporary folder of each
pytest-xdist worker's own, not in ``.hypothesis/`` of the folder pytest was started in: the tests
write nothing in the clone, and no two processes share a file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

try:
    from hypothesis.configuration import set_hypothesis_home_dir
except ImportError:  # hypothesis is in the test extra; without it, its tests fail to import on their own
    pass
else:
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "backprop-derive-hypothesis"
                            / os.environ.get("PYTEST_XDIST_WORKER", "main"))


def pytest_configure(config) -> None:
    if config.args_source is not config.ArgsSource.INVOCATION_DIR or config.getoption("derivations", None):
        return
    root, here = Path(config.rootpath), Path(config.invocation_params.dir)
    if root in here.parents:
        config.args = [str(root / path) for path in config.getini("testpaths")]

"""Bare ``pytest`` anywhere inside the clone runs the project's tests.

pytest uses ``testpaths`` only when it is started in the root folder; started in a sub-folder that
holds no tests (``derive/``, ``notes/``, ``benchmarks/``) it would report "no tests ran".  Here a
run with no paths on the command line, started inside the clone, gets ``testpaths`` -- unless it
checks derivations (``--derivations``), which collect only what they name.
"""

from __future__ import annotations

from pathlib import Path


def pytest_configure(config) -> None:
    if config.args_source is not config.ArgsSource.INVOCATION_DIR or config.getoption("derivations", None):
        return
    root, here = Path(config.rootpath), Path(config.invocation_params.dir)
    if root in here.parents:
        config.args = [str(root / path) for path in config.getini("testpaths")]

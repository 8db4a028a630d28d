"""Smoke runs of every benchmark (one tiny iteration each), so the harness cannot rot.

Nothing here asserts a timing: only that each benchmark runs end to end and reports its figures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

# bench/ is a top-level folder of the repository, importable through pytest's pythonpath ".".
from bench.__main__ import main
from bench.report import BENCHMARKS


@pytest.mark.parametrize("number", sorted(BENCHMARKS))
def test_benchmark_smoke_run_reports_its_targets(number: int) -> None:
    section = BENCHMARKS[number](smoke=True)
    assert section.lines, f"benchmark {number} reported nothing"
    assert section.targets, f"benchmark {number} has no target line"
    for name, met, figure in section.targets:
        assert name and figure and met in (True, False, None)


def test_results_file_names_machine_versions_and_every_benchmark(tmp_path: Path) -> None:
    output = tmp_path / "RESULTS.md"
    assert main(["--smoke", "--only", "2,5", "--output", str(output)]) == 0
    text = output.read_text()
    assert "CPU:" in text and "Python 3." in text and "urllib3 " in text
    assert "## 2. Typed decoding" in text and "## 5. Cold start" in text
    assert "| target | met | figure |" in text

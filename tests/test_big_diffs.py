"""A failing comparison of two large outputs is reported in a few lines, fast, on CI too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.big_diffs import first_difference, pytest_assertrepr_compare

PAGE = "<html>" + "x" * 300_000 + "</html>"


def test_the_first_difference_is_named_with_its_place() -> None:
    changed = PAGE[:150_000] + "Y" + PAGE[150_001:]
    lines = first_difference({"page": PAGE, "n": 1}, {"page": changed, "n": 1})
    assert lines[0] == "['page']: lengths 300013 and 300013, first difference at 150000:"
    assert lines[1].endswith("xxx'") and "Y" in lines[2]
    assert first_difference([PAGE, "a"], [PAGE]) == [": 2 items != 1 items"]
    assert pytest_assertrepr_compare("==", "small", "smaller") is None  # pytest's own diff


def test_a_failed_page_comparison_on_ci_fails_in_seconds(tmp_path: Path) -> None:
    test = tmp_path / "test_page.py"
    test.write_text(
        "def test_pages():\n"
        f"    page = {PAGE!r}\n"
        "    assert {'page': page} == {'page': page[:-9] + 'changed'}\n",
        encoding="utf-8",
    )
    (tmp_path / "conftest.py").write_text(
        "from tests.big_diffs import pytest_assertrepr_compare  # noqa: F401\n", encoding="utf-8"
    )
    repo = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "timeout=60",
         "--rootdir", str(tmp_path), str(test)],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
        env={"CI": "1", "PYTHONPATH": str(repo), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 1
    assert "large values differ" in done.stdout and "first difference at 300004" in done.stdout

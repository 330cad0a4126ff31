"""The README's library example runs as written and prints the columns it promises."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def _library_example() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Library example", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, flags=re.S)
    assert match, "the README has no python block under 'Library example'"
    return match.group(1)


def test_readme_library_example_runs() -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(_library_example(), str(README), "exec"), {})  # the README is ours, not input
    printed = out.getvalue()
    assert "589 rows read" in printed
    for column in ("share", "ci_low", "share_weighted", "share_low_bound", "share_high_bound"):
        assert column in printed
    assert re.search(r"04000\s+17\s+0\.88", printed)  # Brussels: 17 respondents, 88%

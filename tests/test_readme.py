"""The README's tour runs and prints exactly what its comments say."""

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def _tour() -> str:
    text = README.read_text()
    section = text[text.index("## Tour") :]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_readme_tour_prints_what_it_says():
    code = _tour()
    expected = "\n".join(line[2:] for line in code.splitlines() if line.startswith("# "))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code, {})
    assert out.getvalue().rstrip("\n") == expected

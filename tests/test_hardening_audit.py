"""Static audit of the code that handles uploads: no path from user input to the file system,
no deserialisation or evaluation of user data, and shared caches that hold only public data."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [*sorted((ROOT / "src" / "geobaro").rglob("*.py")), ROOT / "streamlit_app.py"]
APP = [*sorted((ROOT / "src" / "geobaro" / "app").glob("*.py")), ROOT / "streamlit_app.py"]

# Patterns that turn data into code or objects, or hand text to a shell.
FORBIDDEN = {
    "pickle": re.compile(
        r"\b(import|from)\s+(c?pickle|dill|joblib|marshal|shelve)\b"
        r"|\b(c?pickle|dill|joblib|marshal|shelve)\.\w+\s*\("
    ),
    "eval": re.compile(r"(?<![\w.])(eval|exec)\s*\("),
    "yaml.load": re.compile(r"\byaml\.(unsafe_)?load\s*\("),
    "shell=True": re.compile(r"shell\s*=\s*True"),
    "os.system": re.compile(r"\bos\.(system|popen)\s*\("),
    "__import__": re.compile(r"\b__import__\s*\("),
    "pandas read_pickle": re.compile(r"\bread_pickle\s*\("),
    "allow_pickle": re.compile(r"allow_pickle\s*=\s*True"),
}


def _code_lines(path: Path) -> list[tuple[int, str]]:
    """Lines of code with comments and docstrings blanked (tokens, not text, are audited)."""
    tree = ast.parse(path.read_text("utf-8"))
    doc_lines: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                doc_lines.update(range(body[0].lineno, (body[0].end_lineno or 0) + 1))
    lines = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if number not in doc_lines:
            lines.append((number, line.split("#", 1)[0]))
    return lines


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_deserialisation_evaluation_or_shell(path: Path) -> None:
    found = [
        f"{path.name}:{number}: {what}: {line.strip()}"
        for number, line in _code_lines(path)
        for what, pattern in FORBIDDEN.items()
        if pattern.search(line)
    ]
    assert not found, found


def test_the_audit_catches_what_it_looks_for(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import pickle\nx = eval(input())\nsubprocess.run(c, shell=True)\n")
    hits = {w for _, line in _code_lines(bad) for w, p in FORBIDDEN.items() if p.search(line)}
    assert hits == {"pickle", "eval", "shell=True"}


def _calls_named(tree: ast.AST, names: set[str]) -> list[ast.Call]:
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in names:
                calls.append(node)
    return calls


@pytest.mark.parametrize("path", APP, ids=lambda p: p.name)
def test_uploaded_file_name_is_never_a_path(path: Path) -> None:
    """The browser's file name may be shown and passed to the reader, never opened."""
    tree = ast.parse(path.read_text("utf-8"))
    file_calls = _calls_named(
        tree, {"open", "Path", "read_bytes", "write_bytes", "read_text", "write_text", "unlink"}
    )
    for call in file_calls:
        text = ast.unparse(call)
        assert "upload" not in text.lower() or "UPLOAD_KEY" in text, (path.name, text)


def _cached_functions(path: Path) -> list[ast.FunctionDef]:
    tree = ast.parse(path.read_text("utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            for dec in node.decorator_list:
                target = dec.func if isinstance(dec, ast.Call) else dec
                if "cache_data" in ast.unparse(target) or "cache_resource" in ast.unparse(target):
                    out.append(node)
    return out


def test_shared_caches_take_no_user_data() -> None:
    """``st.cache_*`` is shared by every session: its functions may not receive uploaded data
    (bytes, tables, uploads or survey results), only small public keys such as a request."""
    user_data = re.compile(r"bytes|DataFrame|Upload|SurveyResult|IO\b|Any")
    cached = [f for path in APP for f in _cached_functions(path)]
    assert cached, "no st.cache_* function found: the audit is looking in the wrong place"
    offenders = []
    for func in cached:
        for arg in [*func.args.args, *func.args.kwonlyargs]:
            note = ast.unparse(arg.annotation) if arg.annotation is not None else "<none>"
            if arg.annotation is None or user_data.search(note) or "upload" in arg.arg.lower():
                offenders.append(f"{func.name}({arg.arg}: {note})")
    assert not offenders, offenders


def test_upload_reader_reads_bytes_only() -> None:
    """The app hands the reader the upload's bytes, never a path or file name to open."""
    text = (ROOT / "src" / "geobaro" / "app" / "upload.py").read_text("utf-8")
    calls = _calls_named(ast.parse(text), {"load_survey"})
    assert calls
    for call in calls:
        assert isinstance(call.args[0], ast.Name)
        assert call.args[0].id == "data", ast.unparse(call)

"""Every ```python block of README.md and docs/**/*.md runs here, so an example that rots
fails the suite.

The blocks of one file run in order in one namespace (an example may use what an earlier one
made).  An HTML comment on the line(s) right before a fence steers the block:

* ``<!-- docs: skip: REASON -->``: not run; the reason is required.
* ``<!-- docs: fixture=NAME[,NAME...] -->``: each pytest fixture NAME (from the
  ``fixtures_*.py`` modules) is requested before the block runs.  It returns a mapping:
  identifier keys become globals, other keys are replaced verbatim by ``str(value)`` in this
  block and every later block of the file (so docs show readable URLs and file names).

Blocks with top-level ``await`` / ``async with`` / ``async for`` run in a fresh event loop.
Each file runs in a temporary working directory.  Tracebacks point at the Markdown lines.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC_FILES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]

FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})\s*(?P<lang>[\w+-]*)")
DIRECTIVE = re.compile(r"^\s*<!--\s*docs:\s*(?P<body>.*?)\s*-->\s*$")


@dataclass
class Block:
    path: Path
    line: int  # 1-based line of the block's first code line
    code: str
    skip: str | None = None
    fixtures: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def _directives(lines: list[str], fence_index: int) -> Iterator[tuple[int, str]]:
    i = fence_index - 1
    while i >= 0 and (match := DIRECTIVE.match(lines[i])):
        yield i + 1, match["body"]
        i -= 1


def parse_blocks(path: Path) -> list[Block]:
    """The Python blocks of one Markdown file, with their directives."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        fence, indent = opening["fence"], len(opening["indent"])
        end = i + 1
        while end < len(lines) and not lines[end].strip().startswith(fence):
            end += 1
        if opening["lang"] in ("python", "py"):
            code = "\n".join(line[indent:] for line in lines[i + 1 : end])
            block = Block(path, i + 2, code)
            for lineno, body in _directives(lines, i):
                if body.startswith("skip:"):
                    block.skip = body[len("skip:") :].strip()
                    if not block.skip:
                        raise ValueError(f"{path}:{lineno}: 'docs: skip:' needs a reason")
                elif body.startswith("fixture="):
                    names = [n.strip() for n in body[len("fixture=") :].split(",")]
                    block.fixtures.extend(n for n in names if n)
                else:
                    raise ValueError(f"{path}:{lineno}: unknown docs directive {body!r}")
            blocks.append(block)
        i = end + 1
    return blocks


def run_block(block: Block, namespace: dict[str, Any], replacements: dict[str, str]) -> None:
    code = block.code
    for key in sorted(replacements, key=len, reverse=True):
        code = code.replace(key, replacements[key])
    source = "\n" * (block.line - 1) + code  # line numbers of the Markdown file
    compiled = compile(
        source, str(block.path), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True
    )
    if compiled.co_flags & inspect.CO_COROUTINE:
        asyncio.run(eval(compiled, namespace))
    else:
        exec(compiled, namespace)


def _documented_files() -> list[Path]:
    return [path for path in DOC_FILES if parse_blocks(path)]


@pytest.mark.parametrize("path", _documented_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_doc_examples_run(
    path: Path, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    replacements: dict[str, str] = {}
    ran = 0
    for block in parse_blocks(path):
        if block.skip is not None:
            continue
        for name in block.fixtures:
            for key, value in dict(request.getfixturevalue(name)).items():
                if key.isidentifier():
                    namespace[key] = value
                else:
                    replacements[key] = str(value)
        try:
            run_block(block, namespace, replacements)
        except Exception as exc:
            raise AssertionError(f"the example at {block.where} failed: {exc!r}") from exc
        ran += 1
    if ran == 0:
        pytest.skip(f"every example of {path.name} is marked 'docs: skip'")


# -- the runner's own rules ----------------------------------------------------------------


def test_docs_have_examples() -> None:
    """The parser finds the README's examples (a broken parser must not pass silently)."""
    assert len(parse_blocks(ROOT / "README.md")) >= 1
    assert sum(len(parse_blocks(p)) for p in DOC_FILES) >= 5


def test_directives_are_parsed(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(
        "text\n"
        "<!-- docs: skip: opens a browser -->\n"
        "```python\nopen_browser()\n```\n"
        "<!-- docs: fixture=kinto, api -->\n"
        "```python\nx = 1\n```\n"
        "```bash\nls\n```\n"
        "```python\n    y = 2\n```\n",
        encoding="utf-8",
    )
    first, second, third = parse_blocks(doc)
    assert (first.skip, first.code, first.line) == ("opens a browser", "open_browser()", 4)
    assert (second.skip, second.fixtures, second.code) == (None, ["kinto", "api"], "x = 1")
    assert third.fixtures == [] and third.skip is None


@pytest.mark.parametrize(
    "directive", ["<!-- docs: skip: -->", "<!-- docs: maybe -->"], ids=["no-reason", "unknown"]
)
def test_bad_directives_are_refused(tmp_path: Path, directive: str) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(f"{directive}\n```python\npass\n```\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"doc\.md:1"):
        parse_blocks(doc)


def test_a_failing_example_fails_with_its_markdown_line(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text("# t\n\n```python\nx = 1\nraise RuntimeError(x)\n```\n", encoding="utf-8")
    (block,) = parse_blocks(doc)
    with pytest.raises(RuntimeError) as info:
        run_block(block, {}, {})
    assert info.traceback[-1].lineno + 1 == 5  # pytest's line numbers are 0-based


def test_replacements_and_top_level_await(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(
        "```python\nimport asyncio\nawait asyncio.sleep(0)\nurl = 'https://kinto.example/v1'\n```\n",
        encoding="utf-8",
    )
    (block,) = parse_blocks(doc)
    namespace: dict[str, Any] = {}
    run_block(block, namespace, {"https://kinto.example/v1": "http://127.0.0.1:1/v1"})
    assert namespace["url"] == "http://127.0.0.1:1/v1"

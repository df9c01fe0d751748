"""Fixtures of the docs runner (``test_docs_examples.py``).

Each topic keeps its docs fixtures in a module ``fixtures_<topic>.py`` beside this file; every
pytest fixture defined there is made available here, so a doc block can ask for it with
``<!-- docs: fixture=NAME -->``.  A docs fixture returns a ``dict[str, object]``: keys that
are Python identifiers become globals of the file's namespace, other keys (readable URLs,
file names) are replaced verbatim in the block's text by ``str(value)``.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # fixture modules import the launchers as tests.servers.*
    sys.path.insert(0, str(ROOT))


def _is_fixture(value: object) -> bool:
    return type(value).__name__ == "FixtureFunctionDefinition" or hasattr(
        value, "_pytestfixturefunction"
    )


for _path in sorted(Path(__file__).parent.glob("fixtures_*.py")):
    _module = importlib.import_module(f"tests.docs.{_path.stem}")
    globals().update({k: v for k, v in vars(_module).items() if _is_fixture(v)})

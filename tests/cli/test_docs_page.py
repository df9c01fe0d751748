"""docs/cli.md says what the command line does: its exit code table is the one
:mod:`restwright.cli.failures` implements, and each error class of the table maps to its
row's code."""

from __future__ import annotations

import re
from pathlib import Path

from restwright import errors
from restwright.cli import failures

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def exit_code_table() -> dict[int, str]:
    rows = re.findall(r"^\| (\d+) \| ([^|]+) \|", DOC.read_text(), flags=re.MULTILINE)
    return {int(code): meaning.strip() for code, meaning in rows}


def test_the_documented_exit_codes_are_the_implemented_ones() -> None:
    table = exit_code_table()
    constants = {value: name for name, value in vars(failures).items() if name.startswith("EXIT_")}
    assert set(table) == {0} | set(constants)
    assert table[failures.EXIT_CLIENT_ERROR].startswith("client error")
    assert table[failures.EXIT_SERVER_ERROR].startswith("server error")
    assert table[failures.EXIT_NETWORK].startswith("network")
    assert table[failures.EXIT_DESCRIPTION].startswith("the API description")
    assert table[failures.EXIT_USAGE].startswith("usage")


def test_each_error_class_maps_to_its_documented_code() -> None:
    cases = {
        errors.NotFound(404, None, None): 4,
        errors.TooManyRequests(429, None, None): 4,
        errors.ServerError(502, None, None): 5,
        errors.ConnectError("refused"): 6,
        errors.TimeoutError("slow"): 6,
        errors.DecodeError("bad framing"): 6,
        errors.SpecError("broken"): 3,
        failures.DescriptionUnavailable("no such profile"): 3,
        errors.ValidationError("bad", parameter="x"): 2,
        errors.InvalidRequestError("CR/LF"): 2,
        errors.OAuth2Error("refused", error="invalid_grant"): 1,
        errors.CassetteError("no answer"): 1,
    }
    for exc, code in cases.items():
        assert failures.exit_code_for(exc) == code, exc

"""Schema checks: restwright's own JSON-schema subset against well-kept validators (issue #9).

```sh
.venv/bin/python -m bench.validators           # check costs and what each validator catches
.venv/bin/python -m bench.validators --calls   # + the per-call budget (runtime op vs engine)
```

restwright checks request bodies before sending and responses afterwards (spec drift) with
compiled closures over a JSON-schema subset (types, enums, required, properties, items,
allOf/anyOf/oneOf, nullable; no format, pattern or bounds).  This script measures, on the
same schemas and instances, the CPU cost of one check with that subset and with
``jsonschema`` (``Draft202012Validator.iter_errors``), ``fastjsonschema`` (generated code;
it stops at the first error) and ``jsonschema-rs`` (Rust; ``iter_errors``), and what each
one reports for a body that breaks pattern, bounds and format rules.  With ``--calls`` it
runs ``bench.openapi``'s per-call comparison against nginx and projects the runtime /
engine ratio with each validator in place of the subset: a validator may be adopted only
if that ratio stays at or under 1.3.
"""

from __future__ import annotations

import argparse
import json
import timeit
from collections.abc import Callable
from typing import Any

from bench.openapi import OVERHEAD_LIMIT, SPEC, root_body

#: A body that breaks rules the subset does not check (pattern, bounds, format).
STRICT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["login"],
    "properties": {
        "login": {"type": "string", "pattern": "^[a-z0-9-]+$", "minLength": 2},
        "age": {"type": "integer", "minimum": 0, "maximum": 150},
        "email": {"type": "string", "format": "email"},
        "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
    },
}
STRICT_BAD = {"login": "A", "age": 200, "email": "nope", "tags": ["a", "b", "c"]}


def cases() -> list[tuple[str, dict[str, Any], Any]]:
    """(label, schema, valid instance) of the checks the runtime client makes."""
    from restwright.openapi import load

    api = load(SPEC)
    create = api.operation("repos/create-for-authenticated-user").request_body
    assert create is not None
    body = {"name": "hello", "description": "x", "private": True, "has_issues": False}
    return [
        (
            "response: GitHub root (33 string props)",
            api.schemas["root"],
            json.loads(root_body(SPEC)),
        ),
        ("request: GitHub repos/create body", create.content["application/json"].schema, body),
    ]


def checkers(schema: dict[str, Any]) -> dict[str, Callable[[Any], list[str]]]:
    """Each validator compiled once for ``schema``: ``check(instance) -> problems``."""
    import fastjsonschema
    import jsonschema
    import jsonschema_rs

    from restwright.openapi import load
    from restwright.openapi.drift import SchemaCompiler

    api = load({"openapi": "3.0.3", "info": {"title": "b", "version": "1"}, "paths": {}})
    subset = SchemaCompiler(api, "response").compile(schema)
    draft = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    fast = fastjsonschema.compile(schema)
    rust = jsonschema_rs.validator_for(schema, validate_formats=True)

    def fast_check(instance: Any) -> list[str]:
        try:
            fast(instance)
        except fastjsonschema.JsonSchemaException as exc:
            return [str(exc.message)]
        return []

    return {
        "restwright subset": lambda x: [f"{p}: {e}" for p, e, _ in subset(x) or ()],
        "jsonschema": lambda x: [e.message for e in draft.iter_errors(x)],
        "fastjsonschema": fast_check,
        "jsonschema-rs": lambda x: [e.message for e in rust.iter_errors(x)],
    }


def cost_us(check: Callable[[Any], Any], instance: Any) -> float:
    timer = timeit.Timer(lambda: check(instance))
    n, _ = timer.autorange()
    return min(timer.repeat(repeat=5, number=n)) / n * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.validators", description=__doc__)
    parser.add_argument("--calls", action="store_true", help="also project the per-call ratio")
    args = parser.parse_args(argv)
    from bench._measure import versions

    print(versions("jsonschema", "fastjsonschema", "jsonschema-rs"))
    costs: dict[str, dict[str, float]] = {}
    for label, schema, instance in cases():
        print(f"\n{label}: CPU us per check (valid instance, best of 5)")
        for name, check in checkers(schema).items():
            assert check(instance) == [], (name, check(instance))
            us = cost_us(check, instance)
            costs.setdefault(label, {})[name] = us
            print(f"  {name:<20} {us:8.2f}")
    print("\nwhat each reports for", STRICT_BAD)
    for name, check in checkers(STRICT_SCHEMA).items():
        problems = check(STRICT_BAD)
        print(f"  {name:<20} {len(problems)} problem(s): {'; '.join(problems)[:150]}")
    if args.calls:
        project(costs["response: GitHub root (33 string props)"])
    return 0


def project(root_costs: dict[str, float]) -> None:
    """Run bench.openapi's per-call comparison and swap the subset's cost for each other's."""
    from bench._nginx import nginx_server
    from bench.openapi import run_calls

    with nginx_server(root_body(SPEC)) as base:
        pairs = run_calls(argparse.Namespace(n=3000, repeat=3), base)
    for label, engine, runtime in pairs:
        if "GitHub" not in label:
            continue
        print(f"\n{label}: engine {engine.cpu_us:.1f} us, runtime {runtime.cpu_us:.1f} us CPU/call")
        for name, us in root_costs.items():
            projected = runtime.cpu_us - root_costs["restwright subset"] + us
            ratio = projected / engine.cpu_us
            verdict = "fits" if ratio <= OVERHEAD_LIMIT else "over"
            print(f"  with {name:<20} {ratio:5.2f}x the engine ({verdict} <= {OVERHEAD_LIMIT}x)")


if __name__ == "__main__":
    raise SystemExit(main())

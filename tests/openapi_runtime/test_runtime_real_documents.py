"""Every operation of the real documents next to the repository (Mattermost, GitHub) gets
a method with a signature and a docstring, and compiles into a call plan."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from restwright.openapi.runtime import ArgumentNames, CallPlan, from_openapi

from ._support import Forbidden
from .conftest import SHARED_SPECS

DOCUMENTS = ["mattermost-openapi-v4.yaml", "github-api.github.com.json"]


@pytest.mark.filterwarnings("ignore:.*is deprecated by the API document:DeprecationWarning")
@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_operation_compiles(name: str) -> None:
    path: Path = SHARED_SPECS / name
    if not path.is_file():
        pytest.skip(f"{name} is absent")
    client = from_openapi(path, base_url="http://api.test", auth="token", transport=Forbidden())
    names = set()
    for tag in client.tags:
        group = getattr(client, tag) if not hasattr(type(client), tag) else client.tag(tag)
        for op_name in dir(group):
            fn = getattr(group, op_name)
            signature = inspect.signature(fn)
            assert fn.__doc__
            for param in signature.parameters.values():
                assert param.name.isidentifier()
            op = group._ops[op_name]  # op_name is its method name: "get" for "repos/get"
            names.add(op.name)
            plan = CallPlan(client, op, ArgumentNames(op))
            assert plan.method == op.method.upper()
    assert len(names) == len(client.api.operations)

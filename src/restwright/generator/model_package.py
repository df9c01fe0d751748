"""The ``models`` package of a generated client: one module per model, imported on first use.

Importing a tag module (``api.users``) must not import every model: Mattermost's 314 models
in one module took about 245 ms to import.  So each model class gets its own module, except
models that refer to each other in a cycle (a strongly-connected group of the "names in its
fields" graph), which share one, and inline models that only one model uses (named after
where they appear: ``UserNotifyProps``), which live with it; a module imports the modules of
the models it names, so importing ``User`` imports exactly what validating a ``User`` needs.
``models/__init__.py`` names every model for mypy (under ``TYPE_CHECKING``) and imports its
module on first access (``models.User`` in a method body, ``from pkg.models import User``).
Forward references need no ``model_rebuild``: annotations are postponed and every name a
model's fields use is a global of its module when pydantic builds the validator (on first
use, ``defer_build``).

Discriminated unions (:class:`~.types.AliasSpec`) are written as ``Annotated`` aliases after
the classes of their module: ``Field(discriminator=...)`` when each branch declares its tags
as a required ``Literal``, else a callable discriminator with a ``Tag`` per branch.
"""

from __future__ import annotations

import re

from ..openapi.naming import NameAllocator, python_identifier, snake_case
from .render import _HEADER, WIDTH, _fit, _natural, _optional, _wrap, docstring, plain_text
from .types import MODEL_NAME, AliasSpec, ModelSpec, TypeRenderer

__all__ = ["models_package"]

_WORD = {name: re.compile(rf"\b{name}\b") for name in ("Annotated", "Any", "Union")}
_FIELD = re.compile(r"\bField\(")
_DOCSTRING = re.compile(r'"""[\s\S]*?"""')
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_LITERAL = re.compile(r"\bLiteral\[")
# The Tag of the branch a value without the discriminator property goes to (a plain union).
UNTAGGED = "(no tag)"
# Names of models/__init__.py's own globals a submodule's name would overwrite on import.
_TAKEN_MODULES = ("annotations", "importlib", "typing")


def components(graph: dict[str, list[str]]) -> list[list[str]]:
    """The strongly-connected components of ``graph`` (Tarjan's algorithm, iterative so
    that long reference chains do not hit the recursion limit), each in node order;
    a component comes after every component it depends on."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    order = {node: i for i, node in enumerate(graph)}
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for target in edges:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(graph[target])))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group: list[str] = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    found.append(sorted(group, key=order.__getitem__))
    return found


def models_package(renderer: TypeRenderer, source: str) -> dict[str, str]:
    """The files of ``models/`` (path relative to the package -> text)."""
    specs: dict[str, ModelSpec | AliasSpec] = {**renderer.models, **renderer.aliases}
    graph = {
        name: [d for d in dict.fromkeys(spec.dependencies()) if d in specs]
        for name, spec in specs.items()
    }
    order = {name: i for i, name in enumerate(specs)}
    names = NameAllocator()
    for taken in ("_base", *_TAKEN_MODULES):
        names.claim(taken)
    module_of: dict[str, str] = {}
    modules: list[list[str]] = []
    # Module names are claimed in document order of each module's first model.
    for members in sorted(_modules(graph, renderer.public), key=lambda m: order[m[0]]):
        module = names.claim(python_identifier(snake_case(members[0]), fallback="model"))
        module_of.update(dict.fromkeys(members, module))
        modules.append(members)
    files = {
        f"models/{module_of[members[0]]}.py": _group_module(
            members, specs, renderer.models, graph, module_of, source
        )
        for members in modules
    }
    files["models/_base.py"] = _base_module(renderer, source)
    files["models/__init__.py"] = _init_module(module_of, source)
    return dict(sorted(files.items()))


def _modules(graph: dict[str, list[str]], public: set[str]) -> list[list[str]]:
    """The models of each module, in node order: a group of mutually recursive models
    (:func:`components`), with the inline models only it uses (a group named by one other
    group alone, and by no operation) - which fewer files hold, and which nothing can
    import without it anyway.  The modules' imports stay acyclic: a group merged into its
    only referrer that depended back on it would be part of the same component."""
    groups = components(graph)
    group_of = {name: i for i, group in enumerate(groups) for name in group}
    referrers: list[set[int]] = [set() for _ in groups]
    for name, deps in graph.items():
        for dep in deps:
            if group_of[dep] != group_of[name]:
                referrers[group_of[dep]].add(group_of[name])
    merged: dict[int, list[str]] = {}
    for index, group in enumerate(groups):
        owner = index
        while len(referrers[owner]) == 1 and public.isdisjoint(groups[owner]):
            owner = next(iter(referrers[owner]))
        merged.setdefault(owner, []).extend(group)
    order = {name: i for i, name in enumerate(graph)}
    return [sorted(members, key=order.__getitem__) for members in merged.values()]


def _member(name: str) -> tuple[int, tuple[int, list[tuple[int, str]]], str]:
    """Sort key of an imported name, in ruff's isort order: constants, classes, the rest,
    each case-insensitively, numbers by value (``__all__`` is case-sensitive: _natural)."""
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return kind, _natural(name.lower()), name


def _import(module: str, names: list[str], indent: str = "") -> list[str]:
    line = f"{indent}from {module} import {', '.join(names)}"
    if len(line) <= 100:
        return [line]
    return [
        _fit(f"{indent}from {module} import ("),
        *(f"{indent}    {n}," for n in names),
        f"{indent})",
    ]


def _init_module(module_of: dict[str, str], source: str) -> str:
    by_module: dict[str, list[str]] = {}
    for name, module in module_of.items():
        by_module.setdefault(module, []).append(name)
    lines = [
        _HEADER.format(source=source),
        '"""Pydantic models of the schemas, one module per model (models that refer to each',
        "other in a cycle share one, inline models only one model uses live with it), each",
        "imported on first use: ``models.User`` or ``from <package>.models import User``",
        'imports that model and what its fields name."""',
        "",
        "from __future__ import annotations",
        "",
        "import importlib",
        "from typing import TYPE_CHECKING, Any",
        "",
        "if TYPE_CHECKING:",
    ]
    for module in sorted(by_module, key=_natural):
        lines += _import(f".{module}", sorted(by_module[module], key=_member), "    ")
    lines += [
        "",
        "__all__ = [",
        *(f'    "{name}",' for name in sorted(module_of, key=_natural)),
        "]",
        "",
        "_MODULES = {",
        *(_fit(f'    "{name}": "{module}",') for name, module in module_of.items()),
        "}",
        "",
        "if not TYPE_CHECKING:  # mypy sees the imports above, not a catch-all __getattr__",
        "",
        "    def __getattr__(name: str) -> Any:",
        "        module = _MODULES.get(name)",
        "        if module is None:",
        '            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")',
        '        value = getattr(importlib.import_module(f".{module}", __name__), name)',
        "        globals()[name] = value",
        "        return value",
    ]
    return "\n".join(lines) + "\n"


def _uses_tag_function(renderer: TypeRenderer) -> bool:
    return any(
        spec.branches and not _literal_field(renderer.models, spec)
        for spec in renderer.aliases.values()
    )


def _base_module(renderer: TypeRenderer, source: str) -> str:
    lines = [
        _HEADER.format(source=source),
        '"""What every model of the package shares."""',
        "",
        "from __future__ import annotations",
        "",
    ]
    tags = _uses_tag_function(renderer)
    if tags:
        lines += ["from collections.abc import Mapping", "from typing import Any", ""]
    lines += [
        f"from pydantic import BaseModel, ConfigDict{', Discriminator' if tags else ''}",
        "",
        "",
        "class _Model(BaseModel):",
        '    """Extra properties kept, fields set by name or alias, and validators built on',
        '    first use (importing a model stays cheap)."""',
        "",
        '    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)',
    ]
    if tags:
        lines += [
            "",
            "",
            "def _by_tag(",
            "    wire: str, name: str, tags: Mapping[str, str], missing: str | None = None",
            ") -> Discriminator:",
            '    """The discriminator of a union whose branches do not declare their tags as',
            "    Literal fields: the tag a value carries in ``wire`` (JSON) or ``name`` (a model),",
            "    each accepted tag mapped to its branch's ``Tag``; a value without the property",
            '    goes to the ``missing`` branch (when the document lets it lack the property)."""',
            "",
            "    def tag(value: Any) -> Any:",
            "        found = value.get(wire) if isinstance(value, dict) else "
            "getattr(value, name, None)",
            "        if found is None:",
            "            return missing",
            "        return tags.get(found, found) if isinstance(found, str) else found",
            "",
            '    accepted = ", ".join(repr(t) for t in tags)',
            "    return Discriminator(",
            "        tag,",
            '        custom_error_type="discriminator_tag",',
            '        custom_error_message=f"the {wire!r} property must be one of {accepted}",',
            "    )",
        ]
    return "\n".join(lines) + "\n"


def _group_module(
    group: list[str],
    specs: dict[str, ModelSpec | AliasSpec],
    models: dict[str, ModelSpec],
    graph: dict[str, list[str]],
    module_of: dict[str, str],
    source: str,
) -> str:
    module = module_of[group[0]]
    classes = [specs[n] for n in group if isinstance(specs[n], ModelSpec)]
    aliases = [s for s in _alias_order([specs[n] for n in group], group) if s is not None]
    body: list[str] = []
    for spec in classes:
        assert isinstance(spec, ModelSpec)
        body += ["", "", *_model_class(spec)]
    for alias in aliases:
        body += ["", "", *_alias(alias, models)]
    # What the imports depend on: the code without docstrings, comments and string values.
    code = _DOCSTRING.sub("", "\n".join(line for line in body if not line.lstrip().startswith("#")))
    code = _STRING.sub('""', code)
    typing_names = [n for n, rx in _WORD.items() if rx.search(code)]
    if _LITERAL.search(code):
        typing_names.append("Literal")
    local = {module_of[d] for n in group for d in graph[n]} - {module}
    imported: dict[str, list[str]] = {}
    for name in group:
        for dep in graph[name]:
            if module_of[dep] != module:
                imported.setdefault(module_of[dep], [])
                if dep not in imported[module_of[dep]]:
                    imported[module_of[dep]].append(dep)
    # ruff's isort order: "_by_tag" before "_Model" (neither counts as a class name)
    base = [n for n, used in (("_by_tag", "_by_tag(" in code), ("_Model", classes)) if used]
    lines = [
        _HEADER.format(source=source),
        *docstring(_module_doc(group, specs), ""),
        "",
        "from __future__ import annotations",
        "",
    ]
    if typing_names:
        lines += [f"from typing import {', '.join(sorted(typing_names))}", ""]
    if "pydantic.Tag(" in code:
        lines.append("import pydantic")
    if _FIELD.search(code):
        lines.append("from pydantic import Field")
    if lines[-1] != "":
        lines.append("")
    if base:
        lines += _import("._base", base)
    for dep_module in sorted(local, key=_natural):
        lines += _import(f".{dep_module}", sorted(imported[dep_module], key=_member))
    exported = ", ".join(f'"{n}"' for n in sorted(group, key=_natural))
    while lines[-1] == "":
        lines.pop()
    lines += ["", _fit(f"__all__ = [{exported}]"), *body]
    return "\n".join(lines).rstrip() + "\n"


def _module_doc(group: list[str], specs: dict[str, ModelSpec | AliasSpec]) -> str:
    if len(group) == 1:
        kind = "model" if isinstance(specs[group[0]], ModelSpec) else "type"
        return f"The {kind} {group[0]}."
    return f"The models {', '.join(group[:-1])} and {group[-1]}."


def _alias_order(specs: list[ModelSpec | AliasSpec], group: list[str]) -> list[AliasSpec | None]:
    """The aliases of a module, each after the aliases of the module it names (an alias
    is evaluated when the module runs, unlike the classes' postponed annotations)."""
    aliases = {s.name: s for s in specs if isinstance(s, AliasSpec)}
    done: list[AliasSpec | None] = []
    placed: set[str] = set()

    def place(name: str) -> None:
        if name in placed:
            return
        placed.add(name)
        for dep in aliases[name].dependencies():
            if dep in aliases:
                place(dep)
        done.append(aliases[name])

    for name in group:
        if name in aliases:
            place(name)
    return done


def _literal_field(models: dict[str, ModelSpec], alias: AliasSpec) -> str:
    """The Python name of the discriminator field when pydantic's ``Field(discriminator=)``
    can pick the branch (every branch declares its tags as a required Literal under the same
    field name), else ""."""
    if not alias.literal or not alias.branches:
        return ""
    wire = alias.discriminator
    found = {f.name for cls, _ in alias.branches for f in models[cls].fields if f.wire == wire}
    return found.pop() if len(found) == 1 else ""


def _alias(alias: AliasSpec, models: dict[str, ModelSpec]) -> list[str]:
    doc = plain_text(alias.doc.strip())
    lines = [line or "#" for line in _wrap(doc, "# ")]
    if not alias.branches:
        expression = MODEL_NAME.sub(r"\1", alias.expression)
        lines.append(_fit(f"{alias.name} = {expression}"))
        return lines
    field = _literal_field(models, alias)
    lines.append(f"{alias.name} = Annotated[")
    lines.append("    Union[")
    if field:
        lines += [_fit(f"        {cls},") for cls, _ in alias.branches]
        lines += ["    ],", f"    Field(discriminator={field!r}),", "]"]
        return [line.replace("'", '"') if "discriminator=" in line else line for line in lines]
    lines += [
        _fit(f"        Annotated[{cls}, pydantic.Tag({tags[0]!a})],".replace("'", '"'))
        for cls, tags in alias.branches
    ]
    name = alias.discriminator
    for cls, _ in alias.branches:
        declared = [f.name for f in models[cls].fields if f.wire == alias.discriminator]
        if declared:
            name = declared[0]
            break
    if alias.untagged:  # a value without the property: each branch tried in order
        everyone = ", ".join(cls for cls, _ in alias.branches)
        lines.append(_fit(f"        Annotated[Union[{everyone}], pydantic.Tag({UNTAGGED!a})],"))
    tags = {tag: tags[0] for _, tags in alias.branches for tag in tags}
    mapping = "{" + ", ".join(f"{k!a}: {v!a}" for k, v in tags.items()) + "}"
    missing = f", missing={UNTAGGED!a}" if alias.untagged else ""
    call = f"    _by_tag({alias.discriminator!a}, {name!a}, {mapping}{missing}),"
    if len(call) > WIDTH:
        call = "\n".join(
            [
                "    _by_tag(",
                f"        {alias.discriminator!a},",
                f"        {name!a},",
                "        {",
                *(_fit(f"            {k!a}: {v!a},") for k, v in tags.items()),
                "        },",
                *([f"        missing={UNTAGGED!a},"] if alias.untagged else []),
                "    ),",
            ]
        )
    lines += ["    ],", call.replace("'", '"'), "]"]
    return lines


def _model_class(spec: ModelSpec) -> list[str]:
    lines = [_fit(f"class {spec.name}(_Model):")]
    doc = spec.doc.strip() or f"The {spec.name} schema."
    lines += docstring(doc, "    ")
    if spec.fields:
        lines.append("")
    for f in spec.fields:
        if f.note:
            lines += _wrap(f"restwright: {f.note}", "    # ")
        alias = f.wire != f.name
        annotation = f.annotation.replace("\x00", "")
        annotation = annotation if f.required else _optional(annotation)
        if alias:
            default = "" if f.required else "default=None, "
            value = (
                f" = Field({default}validation_alias={f.wire!a}, serialization_alias={f.wire!a})"
            )
        else:
            value = "" if f.required else " = None"
        line = f"    {f.name}: {annotation}{value}"
        if len(line) > WIDTH:
            line = _long_field(f.name, annotation, value)
        lines.append(line)
    return lines


def _long_field(name: str, annotation: str, value: str) -> str:
    parts = annotation.split(" | ")
    if value.startswith(" = Field("):
        inner = value[len(" = Field(") : -1].split(", ")
        args = "".join(f"        {a},\n" for a in inner)
        value = f" = Field(\n{args}    )"
    if len(parts) > 1 or len(annotation) > 60:
        body = "".join(
            _fit(f"        {p}" if i == 0 else f"        | {p}") + "\n" for i, p in enumerate(parts)
        )
        return f"    {name}: (\n{body}    ){value}"
    return f"    {name}: {annotation}{value}"

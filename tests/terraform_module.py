"""A Terraform module as python-hcl2 reads it: its blocks, and what they reference."""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import hcl2

# A name followed by its traversal: `.attr`, `[index]` or `[*]`. The look-behind
# keeps `data.google_project.x` from also matching as `google_project.x`.
TRAVERSAL_RE = re.compile(
    r"(?<![\w.\-])([A-Za-z_][\w-]*)((?:\.[A-Za-z_][\w-]*|\[[^\[\]]*\])*)"
)


@dataclass(frozen=True)
class Block:
    """One top-level block: `resource "type" "name"` has labels (type, name)."""

    kind: str
    labels: tuple[str, ...]
    body: dict[str, Any]
    file: str

    @property
    def address(self) -> str:
        if self.kind in {"resource", "locals", "terraform"}:
            return ".".join(self.labels) or self.kind
        return ".".join((self.kind, *self.labels))


@dataclass(frozen=True)
class Reference:
    """`var.x` is ("var", ("x",)); `google_x.y[0].z` is
    ("resource", ("google_x", "y", "z"))."""

    root: str
    parts: tuple[str, ...]

    def __str__(self) -> str:
        return ".".join(
            self.parts if self.root == "resource" else (self.root, *self.parts)
        )


@dataclass
class Module:
    directory: Path
    blocks: list[Block] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[Block]:
        return [block for block in self.blocks if block.kind == kind]

    def labelled(self, kind: str) -> dict[tuple[str, ...], Block]:
        return {block.labels: block for block in self.of_kind(kind)}

    @property
    def variables(self) -> dict[str, Block]:
        return {block.labels[0]: block for block in self.of_kind("variable")}

    @property
    def outputs(self) -> set[str]:
        return {block.labels[0] for block in self.of_kind("output")}

    @property
    def locals(self) -> set[str]:
        return {
            name for block in self.of_kind("locals") for name in attributes(block.body)
        }

    @property
    def required_providers(self) -> set[str]:
        return {
            name
            for block in self.of_kind("terraform")
            for providers in block.body.get("required_providers", [])
            for name in attributes(providers)
        }


def unquote(text: str) -> str:
    """python-hcl2 keeps the quotes of block labels and string values."""
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    return text


def attributes(body: dict[str, Any]) -> dict[str, Any]:
    """A body without python-hcl2's markers (`__is_block__`)."""
    return {key: value for key, value in body.items() if not key.startswith("__")}


def is_block(value: Any) -> bool:
    """Nested blocks come as lists of bodies that python-hcl2 marks."""
    return isinstance(value, list) and all(
        isinstance(item, dict) and item.get("__is_block__") for item in value
    )


@cache
def _parse(text: str) -> dict[str, Any]:
    # Keyed by text: most combinations render many files identically.
    return hcl2.loads(text)


def parse_file(path: Path) -> dict[str, Any]:
    return _parse(path.read_text(encoding="utf-8"))


# How many labels each kind of top-level block has.
LABELS = {"resource": 2, "data": 2, "ephemeral": 2, "module": 1, "variable": 1}
LABELS |= {"output": 1, "provider": 1, "locals": 0, "terraform": 0}


def read_module(directory: Path) -> Module:
    module = Module(directory)
    for path in sorted(directory.glob("*.tf")):
        for kind, entries in attributes(parse_file(path)).items():
            for entry in entries:
                for labels, body in _unlabel(entry, LABELS.get(kind, 0)):
                    module.blocks.append(Block(kind, labels, body, path.name))
    return module


def _unlabel(
    entry: dict[str, Any], depth: int, labels: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], dict[str, Any]]]:
    if depth == 0:
        yield labels, entry
        return
    for label, inner in attributes(entry).items():
        yield from _unlabel(inner, depth - 1, (*labels, unquote(label)))


def expressions(value: Any) -> Iterator[str]:
    """Every expression text in a body, nested blocks included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from expressions(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if not key.startswith("__"):
                yield from expressions(item)


def code_of(text: str) -> str:
    """An expression with the text of its string literals blanked out, so that
    `"roles/run.developer"` or `"resource.type = build"` read as no reference,
    while `"${var.x}-suffix"` still yields `var.x`."""
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1]
    out: list[str] = []
    # A stack of "string" and brace depths of code: a string's `${` opens code
    # that the matching `}` closes.
    stack: list[str | int] = [0]
    i = 0
    while i < len(text):
        char, top = text[i], stack[-1]
        if top == "string":
            if char == "\\" or text.startswith(("$${", "%%{"), i):
                step = 2 if char == "\\" else 3
            elif text.startswith(("${", "%{"), i):
                stack.append(0)
                step = 2
            else:
                if char == '"':
                    stack.pop()
                step = 1
            out.append(" " * step)
            i += step
            continue
        if char == '"':
            stack.append("string")
        elif char == "{":
            stack[-1] = int(top) + 1
        elif char == "}":
            if top == 0 and len(stack) > 1:
                stack.pop()
                out.append(" ")
                i += 1
                continue
            stack[-1] = max(int(top) - 1, 0)
        out.append(char)
        i += 1
    return "".join(out)


def references(text: str, resource_prefixes: set[str]) -> Iterator[Reference]:
    """The references an expression makes; a resource is recognised by its type's
    provider prefix (google_, github_, ...)."""
    for match in TRAVERSAL_RE.finditer(code_of(text)):
        root = match.group(1)
        parts = tuple(re.findall(r"\.([A-Za-z_][\w-]*)", match.group(2)))
        if root in {"var", "local", "module", "data", "ephemeral"} and parts:
            yield Reference(root, parts)
        elif root.split("_", 1)[0] in resource_prefixes and "_" in root and parts:
            yield Reference("resource", (root, *parts))

"""Checks a Terraform tree offline against the pinned providers' real schemas.

The schemas (tests/schemas/terraform/*.json) come from the CDK Terrain provider
bindings; scripts/refresh_terraform_schemas.py writes them. Each finding is one
line naming the file, the block and what is wrong.
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import hcl2

from terraform_module import (
    Block,
    Module,
    Reference,
    attributes,
    expressions,
    is_block,
    read_module,
    references,
    unquote,
)

SCHEMAS = Path(__file__).resolve().parent / "schemas" / "terraform"
REFRESH = "scripts/refresh_terraform_schemas.py"

# Terraform's own arguments of each kind of block, which no provider declares.
META = {
    "resource": {"count", "for_each", "depends_on", "lifecycle", "provider"}
    | {"provisioner", "connection"},
    "data": {"count", "for_each", "depends_on", "lifecycle", "provider"},
    "ephemeral": {"count", "for_each", "depends_on", "lifecycle", "provider"},
    "provider": {"alias", "version"},
    "module": {"source", "version", "providers", "count", "for_each", "depends_on"},
}


@dataclass(frozen=True)
class Provider:
    """One provider's extracted schema (see the refresh script for its shape)."""

    name: str
    schema: dict[str, Any]

    @property
    def label(self) -> str:
        return f"{self.schema['source']} {self.schema['version']}"

    def type_schema(self, kind: str, type_name: str) -> dict[str, Any] | str:
        """The type's schema, or why there is none."""
        if type_name in self.schema[kind]:
            return self.schema[kind][type_name]
        noun = {"resource": "resource", "data": "data source"}.get(kind, kind)
        if type_name in self.schema["names"][kind]:
            return (
                f"{noun} type {type_name} is not in {SCHEMAS.name}/{self.name}.json "
                f"yet: run {REFRESH}"
            )
        return f"{noun} type {type_name} does not exist in {self.label}"


@cache
def load_providers(directory: Path = SCHEMAS) -> dict[str, Provider]:
    return {
        path.stem: Provider(path.stem, json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(directory.glob("*.json"))
    }


def check_tree(
    directory: Path, providers: dict[str, Provider] | None = None
) -> list[str]:
    """Findings for every module under `directory` (the roots and the modules they
    call) and for each root's terraform.tfvars.example."""
    providers = load_providers() if providers is None else providers
    # Resolved, as module sources are resolved against them.
    directory = directory.resolve()
    findings: list[str] = []
    modules = {
        path: read_module(path)
        for path in sorted({tf.parent for tf in directory.rglob("*.tf")})
    }
    for path, module in modules.items():
        where = path.relative_to(directory).as_posix()
        findings += [
            f"{where}/{line}" for line in check_module(module, modules, providers)
        ]
        example = path / "terraform.tfvars.example"
        if example.is_file():
            findings += [f"{where}/{line}" for line in check_tfvars(example, module)]
    return findings


def check_module(
    module: Module, modules: dict[Path, Module], providers: dict[str, Provider]
) -> list[str]:
    findings: list[str] = []
    for block in module.blocks:
        if block.kind in {"resource", "data", "ephemeral"}:
            findings += check_typed_block(block, module, providers)
        elif block.kind == "provider":
            provider = providers.get(block.labels[0])
            if provider is not None:
                findings += check_body(
                    block.body, provider.schema["provider"], META["provider"], block
                )
        elif block.kind == "module":
            findings += check_module_call(block, module, modules)
        findings += check_references(block, module, modules, providers)
    return findings


def check_typed_block(
    block: Block, module: Module, providers: dict[str, Provider]
) -> list[str]:
    type_name = block.labels[0]
    local_name = type_name.split("_", 1)[0]
    provider = providers.get(local_name)
    if provider is None:
        return [f"{block.file}: {block.address}: no schema for provider {local_name}"]
    findings = []
    if local_name not in module.required_providers:
        findings.append(
            f"{block.file}: {block.address}: provider {local_name} is not in this "
            "module's required_providers"
        )
    schema = provider.type_schema(block.kind, type_name)
    if isinstance(schema, str):
        return [*findings, f"{block.file}: {block.address}: {schema}"]
    findings += check_body(block.body, schema, META[block.kind], block)
    for entry in block.body.get("lifecycle", []):
        ignored = entry.get("ignore_changes", [])
        # `ignore_changes = all` names no attribute.
        for path in ignored if isinstance(ignored, list) else []:
            name = unquote(str(path)).removeprefix("${").split("[")[0].split(".")[0]
            if name not in schema["attributes"] and name not in schema["blocks"]:
                findings.append(
                    f"{block.file}: {block.address}: lifecycle.ignore_changes names "
                    f"{name}, which {type_name} does not have"
                )
    return findings


def check_body(
    body: dict[str, Any],
    schema: dict[str, Any],
    meta: set[str],
    block: Block,
    path: str = "",
) -> list[str]:
    """Argument and block names, recursively, and the required ones."""
    where = f"{block.file}: {block.address}{path}"
    findings: list[str] = []
    dynamic: set[str] = set()
    for entry in body.get("dynamic", []):
        for label, spec in attributes(entry).items():
            name = unquote(label)
            dynamic.add(name)
            nested = schema["blocks"].get(name)
            if nested is None:
                findings.append(f'{where}: unknown block "{name}" (dynamic)')
                continue
            for content in spec.get("content", []):
                findings += check_body(content, nested, set(), block, f"{path}.{name}")
    for name, value in attributes(body).items():
        if name in meta or name == "dynamic":
            continue
        if name in schema["blocks"]:
            if not is_block(value):
                findings.append(f"{where}: {name} is a block: write `{name} {{ ... }}`")
                continue
            for nested in value:
                findings += check_body(
                    nested, schema["blocks"][name], set(), block, f"{path}.{name}"
                )
        elif name in schema["attributes"]:
            if schema["attributes"][name] == "computed":
                findings.append(f'{where}: "{name}" is read-only (computed)')
            elif is_block(value):
                findings.append(f"{where}: {name} is an argument: write `{name} = ...`")
        else:
            findings.append(f'{where}: unknown argument or block "{name}"')
    for name, spec in schema["attributes"].items():
        if spec == "required" and name not in body:
            findings.append(f'{where}: missing required argument "{name}"')
    for name, nested in schema["blocks"].items():
        if nested["required"] and name not in body and name not in dynamic:
            findings.append(f'{where}: missing required block "{name}"')
    return findings


def called_module(
    call: Block, module: Module, modules: dict[Path, Module]
) -> Module | None:
    source = unquote(str(call.body.get("source", "")))
    if not source.startswith(("./", "../")):
        return None
    return modules.get((module.directory / source).resolve()) or read_module(
        (module.directory / source).resolve()
    )


def check_module_call(
    call: Block, module: Module, modules: dict[Path, Module]
) -> list[str]:
    where = f"{call.file}: {call.address}"
    called = called_module(call, module, modules)
    if called is None or not called.blocks:
        return [f"{where}: its source is not a local module with .tf files"]
    declared = called.variables
    passed = set(attributes(call.body)) - META["module"]
    findings = [
        f'{where}: passes "{name}", which the module does not declare'
        for name in sorted(passed - set(declared))
    ]
    findings += [
        f'{where}: does not pass "{name}", which has no default'
        for name, variable in sorted(declared.items())
        if "default" not in variable.body and name not in passed
    ]
    return findings


def check_references(
    block: Block,
    module: Module,
    modules: dict[Path, Module],
    providers: dict[str, Provider],
) -> list[str]:
    findings = [
        f"{block.file}: {block.address}: {reference}: {problem}"
        for text in expressions(block.body)
        for reference in references(text, set(providers))
        if (problem := reference_problem(reference, module, modules, providers))
    ]
    return list(dict.fromkeys(findings))


def reference_problem(
    reference: Reference,
    module: Module,
    modules: dict[Path, Module],
    providers: dict[str, Provider],
) -> str | None:
    """What is wrong with a reference, or None. Only a resource's first attribute
    is checked: what follows may be a nested block's, or an index."""
    root, parts = reference.root, reference.parts
    here = module.directory.name
    if root == "var" and parts[0] not in module.variables:
        return f"no variable {parts[0]} in {here}"
    if root == "local" and parts[0] not in module.locals:
        return f"no local value {parts[0]} in {here}"
    if root == "module":
        call = module.labelled("module").get(parts[:1])
        if call is None:
            return f"no module block {parts[0]} in {here}"
        called = called_module(call, module, modules)
        if len(parts) > 1 and called is not None and parts[1] not in called.outputs:
            return f"the module {parts[0]} has no output {parts[1]}"
    if root not in {"resource", "data", "ephemeral"} or len(parts) < 2:
        return None
    if parts[:2] not in module.labelled(root):
        return f"no {root} block {parts[0]}.{parts[1]} in {here}"
    provider = providers.get(parts[0].split("_", 1)[0])
    schema = provider.type_schema(root, parts[0]) if provider else None
    if len(parts) > 2 and isinstance(schema, dict) and provider is not None:
        known = {"id", *schema["attributes"], *schema["blocks"]}
        if parts[2] not in known:
            return f"{parts[0]} has no attribute {parts[2]} in {provider.label}"
    return None


def check_tfvars(example: Path, module: Module) -> list[str]:
    """The example sets only declared variables, and every one without a default."""
    with example.open(encoding="utf-8") as file:
        values = attributes(hcl2.load(file))
    declared = module.variables
    findings = [
        f'{example.name}: sets "{name}", which no variable block declares'
        for name in sorted(set(values) - set(declared))
    ]
    findings += [
        f'{example.name}: does not set "{name}", which has no default'
        for name, variable in sorted(declared.items())
        if "default" not in variable.body and name not in values
    ]
    return findings

"""Extract the provider schemas that the offline Terraform check reads.

Terraform cannot download providers on the machines this template is tested on,
so `terraform validate` cannot run there. The CDK Terrain provider bindings on
PyPI carry each provider's schema instead: their jsii assembly (a `.jsii` JSON in
a `*.jsii.tgz`) and code are generated from `terraform providers schema -json` of
one provider version, which the package's README names. This script downloads the
bindings in BINDINGS, refuses one whose provider version is outside the pins of
the template's versions.tf files, and writes to tests/schemas/terraform/ the
argument names, required flags, nested blocks and computed attributes of the
resource, data source and ephemeral resource types the template uses (all
combinations: it reads the Jinja .tf files), plus every type name the provider has.

When to run it: after bumping a provider pin (first point BINDINGS at a binding
whose "bindings for <provider> provider version X" fits the new pin), and when the
template starts using a resource or data source type (the test says so):

    uv run python scripts/refresh_terraform_schemas.py
"""

import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import Any

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent
TERRAFORM = TEMPLATE_ROOT / "{{cookiecutter.project_slug}}" / "deployment" / "terraform"
OUTPUT = TEMPLATE_ROOT / "tests" / "schemas" / "terraform"

# Provider source -> the PyPI package and version of its binding. CDK Terrain
# (cdktn) continues the prebuilt CDKTF bindings, which stopped at google 6.50.
BINDINGS = {
    "hashicorp/google": ("cdktn-provider-google", "20.3.1"),
    "hashicorp/random": ("cdktn-provider-random", "15.0.1"),
    "integrations/github": ("cdktn-provider-github", "18.0.0"),
}

# The jsii base class of each kind of type, and the provider's own configuration.
BASES = {
    "cdktn.TerraformResource": "resource",
    "cdktn.TerraformDataSource": "data",
    "cdktn.TerraformEphemeralResource": "ephemeral",
    "cdktn.TerraformProvider": "provider",
}
KINDS = ("resource", "data", "ephemeral")

USE_RE = re.compile(r'^\s*(resource|data|ephemeral)\s+"([a-z0-9_]+)"', re.MULTILINE)
PIN_RE = re.compile(
    r'([\w-]+)\s*=\s*\{\s*source\s*=\s*"([^"]+)"\s*version\s*=\s*"([^"]+)"'
)
README_RE = re.compile(r"bindings for (\S+) provider version (\S+)")
# A type's docs: "Represents a {@link https://.../resources/storage_bucket
# google_storage_bucket}."
TYPE_RE = re.compile(r"\{@link \S+ ([a-z0-9_]+)\}")
# Every argument's docs link to its anchor on the registry page, named as in Terraform.
ANCHOR_RE = re.compile(r"\{@link https://\S+#([a-z0-9_]+) ")
# The generated code restates the schema above each getter of a resource class.
COMMENT_RE = re.compile(
    r"// ([a-z0-9_]+) - computed: (true|false), optional: (true|false), "
    r"required: (true|false)"
)


def template_uses() -> dict[str, dict[str, set[str]]]:
    """{provider local name: {kind: types}} of every .tf file of the template."""
    uses: dict[str, dict[str, set[str]]] = {}
    for path in sorted(TERRAFORM.rglob("*")):
        # Optional files are named `{% if ... %}name.tf{% endif %}`.
        if not re.sub(r"\{%.*?%\}", "", path.name).endswith(".tf"):
            continue
        for kind, name in USE_RE.findall(path.read_text(encoding="utf-8")):
            provider = name.split("_", 1)[0]
            uses.setdefault(provider, {k: set() for k in KINDS})[kind].add(name)
    return uses


def template_pins() -> dict[str, tuple[str, set[str]]]:
    """{provider local name: (source, version constraints)} of every versions.tf."""
    pins: dict[str, tuple[str, set[str]]] = {}
    for path in sorted(TERRAFORM.rglob("versions.tf")):
        for name, source, constraint in PIN_RE.findall(path.read_text("utf-8")):
            pins.setdefault(name, (source, set()))[1].add(constraint)
    return pins


def version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("-")[0].split("."))


def satisfies(version: str, constraints: str) -> bool:
    """Terraform's version constraint syntax: `~> 7.1`, `>= 3.7.1, < 4.0`, `6.0`."""
    have = version_tuple(version)
    for constraint in constraints.split(","):
        match = re.fullmatch(r"\s*(~>|>=|<=|!=|>|<|=)?\s*([\d.]+)\s*", constraint)
        if match is None:
            raise ValueError(f"cannot read the version constraint {constraint!r}")
        operator, wanted = match.group(1) or "=", version_tuple(match.group(2))
        padded = have[: len(wanted)] + (0,) * (len(wanted) - len(have))
        if operator == "~>":
            # ~> 7.1 allows 7.x from 7.1; ~> 7.1.0 allows 7.1.x from 7.1.0.
            prefix = wanted[:-1] if len(wanted) > 1 else wanted
            ok = padded >= wanted and have[: len(prefix)] == prefix
        else:
            ok = {
                "=": padded == wanted,
                "!=": padded != wanted,
                ">": padded > wanted,
                ">=": padded >= wanted,
                "<": padded < wanted,
                "<=": padded <= wanted,
            }[operator]
        if not ok:
            return False
    return True


def download(package: str, version: str, directory: Path) -> Path:
    """The binding's wheel, fetched from PyPI with pip (run by uv, like checkov)."""
    uv = shutil.which("uv")
    if uv is None:
        sys.exit("uv is not installed: it runs pip to download the bindings")
    command = [uv, "tool", "run", "pip", "download", "--quiet", "--no-deps"]
    command += ["--only-binary", ":all:", "--dest", str(directory)]
    command.append(f"{package}=={version}")
    subprocess.run(command, check=True)  # noqa: S603
    (wheel,) = directory.glob(f"{package.replace('-', '_')}-{version}-*.whl")
    return wheel


def read_wheel(wheel: Path) -> tuple[str, str, bytes]:
    """(provider source, provider version, the jsii tarball) of a binding's wheel."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (metadata,) = [name for name in names if name.endswith(".dist-info/METADATA")]
        (tarball,) = [name for name in names if name.endswith(".jsii.tgz")]
        readme = archive.read(metadata).decode("utf-8")
        match = README_RE.search(readme)
        if match is None:
            sys.exit(f"{wheel.name}: its README does not name a provider version")
        return match.group(1), match.group(2), archive.read(tarball)


def read_tarball(tarball: bytes, wanted: set[str]) -> dict[str, bytes]:
    """The members named in `wanted` (package/.jsii, package/lib/*/index.js)."""
    found: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for member in archive:
            if member.name in wanted:
                extracted = archive.extractfile(member)
                if extracted is None:
                    sys.exit(f"{member.name} is not a file in the jsii tarball")
                found[member.name] = extracted.read()
                if len(found) == len(wanted):
                    break
    return found


def terraform_name(prop: dict[str, Any]) -> str:
    docs = prop.get("docs", {})
    match = ANCHOR_RE.search(docs.get("remarks", "") + docs.get("summary", ""))
    if match is None:
        # No registry anchor: undo jsii's camelCase (block_schema catches a miss).
        return re.sub(r"(?<!^)([A-Z])", r"_\1", prop["name"]).lower()
    return match.group(1)


def struct_of(types: dict[str, Any], type_ref: dict[str, Any]) -> str | None:
    """The struct (interface) a property holds, alone or as list elements."""
    if "fqn" in type_ref:
        fqn = type_ref["fqn"]
        return fqn if types.get(fqn, {}).get("kind") == "interface" else None
    for inner in type_ref.get("union", {}).get("types", []):
        if found := struct_of(types, inner):
            return found
    if "collection" in type_ref:
        return struct_of(types, type_ref["collection"]["elementtype"])
    return None


def block_schema(
    types: dict[str, Any], fqn: str, code: str, class_name: str, label: str
) -> dict[str, Any]:
    """Arguments (required or optional), nested blocks and computed attributes of
    a struct, checked against the schema that the generated code restates above
    the getters of the struct's class: a misread name fails here."""
    attributes: dict[str, str] = {}
    blocks: dict[str, Any] = {}
    for prop in types[fqn].get("properties", []):
        name = terraform_name(prop)
        nested = struct_of(types, prop["type"])
        summary = prop.get("docs", {}).get("summary", "")
        if nested and summary.startswith(f"{name} block"):
            reference = f"{types[nested]['name']}OutputReference"
            block = block_schema(types, nested, code, reference, f"{label}.{name}")
            blocks[name] = {"required": not prop.get("optional", False), **block}
        else:
            attributes[name] = "optional" if prop.get("optional") else "required"
    stated = class_comments(code, class_name)
    if stated is None:
        # The provider's own blocks have no class: nothing to check them against.
        print(f"  {label}: not cross-checked (no class {class_name})")
        return {"attributes": attributes, "blocks": blocks}
    settable = {name: spec == "required" for name, spec in attributes.items()}
    settable |= {name: block["required"] for name, block in blocks.items()}
    for name, required in settable.items():
        if name not in stated or stated[name][1] != required:
            sys.exit(f"{label}: {name} (required={required}) disagrees with the code")
    for name, (computed, _required) in stated.items():
        if name not in settable:
            if not computed:
                sys.exit(f"{label}: {name} is settable but not in its struct")
            attributes[name] = "computed"
    return {"attributes": attributes, "blocks": blocks}


def class_comments(code: str, class_name: str) -> dict[str, tuple[bool, bool]] | None:
    """{name: (computed, required)} the generated code states for one class."""
    start = code.find(f"class {class_name} extends ")
    if start < 0:
        return None
    end = code.index(f"exports.{class_name} = {class_name};", start)
    return {
        name: (computed == "true", required == "true")
        for name, computed, _optional, required in COMMENT_RE.findall(code[start:end])
    }


def module_file(types: dict[str, Any], fqn: str) -> str:
    """package/lib/<module>/index.js, the compiled code of a type's module."""
    source = types[fqn]["locationInModule"]["filename"]
    return "package/lib/" + source.removeprefix("src/").removesuffix(".ts") + ".js"


def extract(
    source: str, version: str, tarball: bytes, uses: dict[str, set[str]]
) -> dict[str, Any]:
    types = json.loads(read_tarball(tarball, {"package/.jsii"})["package/.jsii"])[
        "types"
    ]
    classes: dict[str, dict[str, str]] = {kind: {} for kind in (*KINDS, "provider")}
    for fqn, spec in types.items():
        kind = BASES.get(spec.get("base", ""))
        match = TYPE_RE.search(spec.get("docs", {}).get("summary", ""))
        if kind and match:
            classes[kind][match.group(1)] = fqn
    (provider_fqn,) = classes["provider"].values()
    wanted = {(kind, name) for kind in KINDS for name in uses[kind]}
    missing = sorted(
        f"{kind} {name}" for kind, name in wanted if name not in classes[kind]
    )
    if missing:
        sys.exit(f"{source} {version} has no {', '.join(missing)}")
    fqns = {key: classes[key[0]][key[1]] for key in wanted}
    fqns[("provider", "")] = provider_fqn
    code = read_tarball(tarball, {module_file(types, fqn) for fqn in fqns.values()})
    result: dict[str, Any] = {"source": source, "version": version}
    for kind in (*KINDS, "provider"):
        result[kind] = {}
    for (kind, name), fqn in sorted(fqns.items()):
        text = code[module_file(types, fqn)].decode("utf-8")
        class_name = types[fqn]["name"]
        label = f"{kind} {name or source}"
        schema = block_schema(types, f"{fqn}Config", text, class_name, label)
        if kind == "provider":
            result["provider"] = schema
        else:
            result[kind][name] = schema
    # Every type name, so that the check tells "not in the provider" from
    # "used now, not extracted yet: run this script".
    result["names"] = {kind: sorted(classes[kind]) for kind in KINDS}
    return result


def main() -> None:
    uses, pins = template_uses(), template_pins()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        for provider, kinds in sorted(uses.items()):
            if provider not in pins:
                sys.exit(
                    f"{provider}_* types are used, but no versions.tf pins {provider}"
                )
            source, constraints = pins[provider]
            package, binding_version = BINDINGS[source]
            wheel = download(package, binding_version, Path(scratch))
            bound_source, version, tarball = read_wheel(wheel)
            if bound_source != source:
                sys.exit(f"{package} binds {bound_source}, not {source}")
            for constraint in sorted(constraints):
                if not satisfies(version, constraint):
                    sys.exit(
                        f"{package} {binding_version} is {source} {version}, outside "
                        f"the template's pin {constraint!r}: choose another binding"
                    )
            schema = extract(source, version, tarball, kinds)
            schema["binding"] = f"{package} {binding_version}"
            path = OUTPUT / f"{provider}.json"
            text = json.dumps(schema, indent=1, sort_keys=True) + "\n"
            path.write_text(text, encoding="utf-8")
            print(f"{path.relative_to(TEMPLATE_ROOT)}: {source} {version}")


if __name__ == "__main__":
    main()

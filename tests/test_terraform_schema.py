"""The generated Terraform of every combination against the pinned providers' real
schemas, offline: types, arguments, blocks, references, module calls, tfvars."""

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from helpers import COMBINATIONS, TEMPLATE_ROOT, bake_or_fail
from terraform_module import read_module, references
from terraform_schema import SCHEMAS, check_tree, load_providers


@pytest.fixture(scope="module")
def trees(cookies_session: Any) -> dict[str, Path]:
    """deployment/terraform of every combination, baked once."""
    return {
        name: Path(bake_or_fail(cookies_session, inputs).project_path)
        / "deployment"
        / "terraform"
        for name, inputs in COMBINATIONS.items()
    }


@pytest.mark.parametrize("combination", list(COMBINATIONS))
def test_terraform_matches_the_provider_schemas(
    trees: dict[str, Path], combination: str
) -> None:
    findings = check_tree(trees[combination])
    assert findings == [], "\n".join(findings)


def refresh_script() -> ModuleType:
    path = TEMPLATE_ROOT / "scripts" / "refresh_terraform_schemas.py"
    spec = importlib.util.spec_from_file_location("refresh_terraform_schemas", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_schemas_are_of_the_pinned_versions_and_small() -> None:
    """A bumped pin needs refreshed schemas; what is committed stays small."""
    script = refresh_script()
    providers = load_providers()
    pins = script.template_pins()
    assert set(providers) == set(pins)
    for name, (source, constraints) in pins.items():
        schema = providers[name].schema
        assert schema["source"] == source
        for constraint in constraints:
            assert script.satisfies(schema["version"], constraint), (
                f"{source} {schema['version']} is outside the pin {constraint!r}: "
                f"run {script.__name__}.py after pointing BINDINGS at a newer binding"
            )
    size = sum(path.stat().st_size for path in SCHEMAS.glob("*.json"))
    assert size < 300_000


@pytest.mark.parametrize(
    ("version", "constraint", "expected"),
    [
        ("7.46.1", "~> 7.1", True),
        ("8.0.0", "~> 7.1", False),
        ("7.0.5", "~> 7.1", False),
        ("7.1.9", "~> 7.1.0", True),
        ("7.2.0", "~> 7.1.0", False),
        ("3.9.1", ">= 3.7.1, < 4.0", True),
        ("4.0.0", ">= 3.7.1, < 4.0", False),
        ("6.13.0", "6.13.0", True),
    ],
)
def test_version_constraints_read_as_terraform_reads_them(
    version: str, constraint: str, expected: bool
) -> None:
    assert refresh_script().satisfies(version, constraint) is expected


BROKEN_ROOT = {
    "versions.tf": """
terraform {
  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 7.1"
    }
  }
}

provider "google" {
  project = var.project_id
  colour  = "blue"
}
""",
    "variables.tf": """
variable "project_id" {
  type = string
}
""",
    "main.tf": """
resource "google_storage_bucket" "docs" {
  name     = "${var.project_id}-docs"
  location = var.region
  colour   = "blue"

  versioning {
    enabled = true
    shade   = "dark"
  }

  dynamic "lifecycle_rules" {
    for_each = []
    content {}
  }
}

resource "google_storage_bukket" "typo" {
  name = "roles/run.developer and var.not_a_reference"
}

resource "google_service_account" "app" {
  project = var.project_id
}

module "environment" {
  source     = "../module"
  project_id = var.project_id
  colour     = "blue"
}

output "email" {
  value = google_service_account.app.mail
}

output "bucket" {
  value = module.environment.bucket
}
""",
    "terraform.tfvars.example": 'undeclared = "x"\n',
}
BROKEN_MODULE = {
    "variables.tf": """
variable "project_id" {
  type = string
}

variable "region" {
  type = string
}
""",
    "outputs.tf": """
output "name" {
  value = var.project_id
}
""",
}


def write_tree(directory: Path, files: dict[str, str]) -> None:
    directory.mkdir(parents=True)
    for name, text in files.items():
        (directory / name).write_text(text.lstrip(), encoding="utf-8")


def test_a_broken_tree_yields_each_finding(tmp_path: Path) -> None:
    """Proof that the check fails when it should, and only then."""
    write_tree(tmp_path / "root", BROKEN_ROOT)
    write_tree(tmp_path / "module", BROKEN_MODULE)
    google = load_providers()["google"].label
    bucket = "root/main.tf: google_storage_bucket.docs"
    assert check_tree(tmp_path) == [
        f'{bucket}: unknown block "lifecycle_rules" (dynamic)',
        f'{bucket}: unknown argument or block "colour"',
        f'{bucket}.versioning: unknown argument or block "shade"',
        f"{bucket}: var.region: no variable region in root",
        "root/main.tf: google_storage_bukket.typo: resource type "
        f"google_storage_bukket does not exist in {google}",
        "root/main.tf: google_service_account.app: missing required argument "
        '"account_id"',
        'root/main.tf: module.environment: passes "colour", which the module does not '
        "declare",
        'root/main.tf: module.environment: does not pass "region", which has no '
        "default",
        "root/main.tf: output.email: google_service_account.app.mail: "
        f"google_service_account has no attribute mail in {google}",
        "root/main.tf: output.bucket: module.environment.bucket: the module "
        "environment has no output bucket",
        'root/versions.tf: provider.google: unknown argument or block "colour"',
        'root/terraform.tfvars.example: sets "undeclared", which no variable block '
        "declares",
        'root/terraform.tfvars.example: does not set "project_id", which has no '
        "default",
    ]


def test_github_actions_cicd_declares_the_prod_reviewers(
    trees: dict[str, Path],
) -> None:
    """The finding this check was written for: used by the environment, set in
    the example, and once never declared."""
    for combination in ("cloud-run-github", "agent-engine-github-sqlite", "rag-github"):
        variables = read_module(trees[combination] / "cicd").variables
        for name in ("prod_reviewer_user_ids", "prod_reviewer_team_ids"):
            # Numeric ids, as the provider's reviewers block takes them; either
            # list may stay empty (a precondition wants one of them set).
            assert variables[name].body["type"] == "${list(number)}", name
            assert variables[name].body["default"] == [], name


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('"roles/run.developer"', []),
        ('"${var.project_id}-docs"', ["var.project_id"]),
        ('"$${var.escaped} ${local.app}"', ["local.app"]),
        (
            '${join(" AND ", ["type = \\"build\\"", '
            '"id = \\"${google_x.y.trigger_id}\\""])}',
            ["google_x.y.trigger_id"],
        ),
        ("${data.google_project.this.number}", ["data.google_project.this.number"]),
        (
            "${google_monitoring_notification_channel.email[*].name}",
            ["google_monitoring_notification_channel.email.name"],
        ),
        (
            "${[for id in var.ids : id >= 1 && each.value == path.module]}",
            ["var.ids"],
        ),
        ("${{ a = module.environment.url }}", ["module.environment.url"]),
    ],
)
def test_references_skip_string_literals(expression: str, expected: list[str]) -> None:
    assert [str(r) for r in references(expression, {"google"})] == expected

"""The generated Terraform, for every named combination: it parses, is formatted,
passes checkov, and holds only what the chosen options need."""

import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from helpers import (
    COMBINATIONS,
    TEMPLATE_ROOT,
    TRIGGER_SUBSTITUTIONS,
    bake_or_fail,
    describe_failure,
    project_files,
    run,
)
from terraform_module import parse_file as parse
from terraform_module import unquote

ROOTS = ("cicd", "staging", "prod", "dev")
ROOT_FILES = (
    "versions.tf",
    "variables.tf",
    "main.tf",
    "outputs.tf",
    "terraform.tfvars.example",
)
# Pinned: a new checkov release adds checks, which must not turn the suite red
# on its own. Bump it knowingly.
CHECKOV = "checkov==3.3.30"
CHECKOV_SUMMARY = TEMPLATE_ROOT / "build" / "checkov-summary.json"
# Registry host names (the pipelines receive the registry's URI from Terraform)
# and paths of the machine the template was written on.
FORBIDDEN_WORDS = ("pkg.dev", "gcr.io", "/root/", "/work/", "/tmp/")  # noqa: S108

# Runs inside checkov's own environment (`uv tool run`): checkov ships a module
# named `hcl2` that would shadow python-hcl2 here. One process scans every root:
# checkov takes seconds to start, a root takes a fraction of one. The terraform
# runner is what `checkov -d ROOT --framework terraform` runs, inline skips and
# graph (CKV2) checks included.
CHECKOV_SCRIPT = """
import json, logging, sys
logging.disable(logging.CRITICAL)
from checkov.runner_filter import RunnerFilter
from checkov.terraform.runner import Runner

output, *roots = sys.argv[1:]
reports = {}
for root in roots:
    report = Runner().run(
        root_folder=root,
        runner_filter=RunnerFilter(
            framework=["terraform"], download_external_modules=False
        ),
    )
    reports[root] = {
        "passed": len(report.passed_checks),
        "failed": [
            f"{check.check_id} {check.resource} ({check.file_path}): {check.check_name}"
            for check in report.failed_checks
        ],
        "skipped": [
            f"{check.check_id} {check.resource}: "
            + check.check_result.get("suppress_comment", "").strip()
            for check in report.skipped_checks
        ],
        "parsing_errors": sorted(report.parsing_errors),
    }
with open(output, "w", encoding="utf-8") as file:
    json.dump(reports, file)
"""


@dataclass(frozen=True)
class Terraform:
    """The deployment/terraform directory of one baked combination."""

    name: str
    context: dict[str, Any]
    directory: Path

    @property
    def project(self) -> Path:
        return self.directory.parent.parent

    def root(self, name: str) -> Path:
        return self.directory / name

    @property
    def module(self) -> Path:
        return self.directory / "modules" / "environment"


@pytest.fixture(scope="module")
def terraform(cookies_session: Any) -> dict[str, Terraform]:
    """Every combination baked once, shared by the checks below (checkov scans
    all of them in a single process)."""
    trees = {}
    for name, inputs in COMBINATIONS.items():
        result = bake_or_fail(cookies_session, inputs)
        project = Path(result.project_path)
        trees[name] = Terraform(
            name, result.context, project / "deployment" / "terraform"
        )
    return trees


@pytest.fixture(scope="module")
def checkov_reports(
    terraform: dict[str, Terraform], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, dict[str, Any]]]:
    """checkov's verdict on every root of every combination, also written to
    build/checkov-summary.json for the record."""
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not installed: it runs checkov in its own environment")
    roots = {
        str(tree.root(root)): (name, root)
        for name, tree in terraform.items()
        for root in ROOTS
    }
    workdir = tmp_path_factory.mktemp("checkov")
    script = workdir / "scan.py"
    script.write_text(CHECKOV_SCRIPT, encoding="utf-8")
    output = workdir / "reports.json"
    # The outer virtual environment (uv run pytest) must not leak into checkov's.
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    command = [uv, "tool", "run", "--from", CHECKOV, "python", str(script)]
    process = run(
        [*command, str(output), *roots],
        cwd=TEMPLATE_ROOT,
        env=env,
        timeout=900,
    )
    assert process.returncode == 0, describe_failure(process)
    raw = json.loads(output.read_text(encoding="utf-8"))
    reports: dict[str, dict[str, dict[str, Any]]] = {}
    for path, report in raw.items():
        name, root = roots[path]
        reports.setdefault(name, {})[root] = report
    summary = {
        name: {
            root: {
                "passed": report["passed"],
                "failed": len(report["failed"]),
                "skipped": len(report["skipped"]),
                "failed_checks": report["failed"],
                "skipped_checks": report["skipped"],
            }
            for root, report in sorted(per_root.items())
        }
        for name, per_root in sorted(reports.items())
    }
    CHECKOV_SUMMARY.parent.mkdir(exist_ok=True)
    CHECKOV_SUMMARY.write_text(
        json.dumps({"checkov": CHECKOV, "combinations": summary}, indent=2) + "\n",
        encoding="utf-8",
    )
    return reports


def tf_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.tf"))


def blocks(directory: Path, kind: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(type, name, body) of every `resource` or `data` block of a directory."""
    for path in tf_files(directory):
        for entry in parse(path).get(kind, []):
            for block_type, named in entry.items():
                for name, body in named.items():
                    yield unquote(block_type), unquote(name), body


def resources(directory: Path) -> dict[tuple[str, str], dict[str, Any]]:
    return {(kind, name): body for kind, name, body in blocks(directory, "resource")}


def resource_types(directory: Path) -> set[str]:
    return {kind for kind, _name in resources(directory)}


def provider_names(directory: Path) -> set[str]:
    names: set[str] = set()
    for path in tf_files(directory):
        for block in parse(path).get("terraform", []):
            for providers in block.get("required_providers", []):
                names |= {key for key in providers if not key.startswith("__")}
    return names


def single(body: dict[str, Any], key: str) -> dict[str, Any]:
    """A nested block that appears once (python-hcl2 lists every block)."""
    value = body[key]
    return value[0] if isinstance(value, list) else value


@pytest.fixture(params=list(COMBINATIONS))
def tree(request: pytest.FixtureRequest, terraform: dict[str, Terraform]) -> Terraform:
    return terraform[request.param]


def test_every_root_has_its_files(tree: Terraform) -> None:
    for root in ROOTS:
        for name in ROOT_FILES:
            assert (tree.root(root) / name).is_file(), f"{root}/{name}"
    for name in ("versions.tf", "variables.tf", "main.tf", "outputs.tf"):
        assert (tree.module / name).is_file(), f"modules/environment/{name}"


def test_every_tf_file_parses(tree: Terraform) -> None:
    paths = sorted(tree.directory.rglob("*.tf"))
    assert len(paths) >= 20
    for path in paths:
        parsed = parse(path)
        assert parsed, f"{path.relative_to(tree.directory)} is empty"


def test_every_root_pins_terraform_and_its_providers(tree: Terraform) -> None:
    for directory in [tree.root(root) for root in ROOTS] + [tree.module]:
        (settings,) = [
            block
            for path in tf_files(directory)
            for block in parse(path).get("terraform", [])
        ]
        assert unquote(settings["required_version"]).startswith(">= 1.11")
        for providers in settings["required_providers"]:
            for name, requirement in providers.items():
                if not name.startswith("__"):
                    assert unquote(requirement["version"]), f"{directory}: {name}"


def test_terraform_fmt_check_passes(tree: Terraform) -> None:
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("terraform is not installed; the files still parse (above)")
    process = run(
        [terraform, "fmt", "-check", "-recursive", "-diff", "-no-color", "."],
        cwd=tree.directory,
    )
    assert process.returncode == 0, describe_failure(process)


@pytest.mark.parametrize("root", ROOTS)
@pytest.mark.parametrize("combination", list(COMBINATIONS))
def test_checkov_finds_nothing_unexplained(
    checkov_reports: dict[str, dict[str, dict[str, Any]]], combination: str, root: str
) -> None:
    """Every finding is fixed, or skipped inline with its reason."""
    report = checkov_reports[combination][root]
    assert report["parsing_errors"] == []
    assert report["failed"] == []
    assert report["passed"] > 0
    for skipped in report["skipped"]:
        reason = skipped.partition(": ")[2]
        assert len(reason) > 40, f"skipped without a real reason: {skipped}"


def test_only_the_chosen_deployment_target_is_rendered(tree: Terraform) -> None:
    module_files = {path.name for path in tf_files(tree.module)}
    types = resource_types(tree.module)
    if tree.context["deployment_target"] == "cloud_run":
        assert "cloud_run.tf" in module_files
        assert "agent_engine.tf" not in module_files
        assert "google_cloud_run_v2_service" in types
        # No Agent Engine staging bucket (the rag agent has a knowledge bucket).
        assert ("google_storage_bucket", "agent_engine_staging") not in resources(
            tree.module
        )
    else:
        assert "agent_engine.tf" in module_files
        assert "cloud_run.tf" not in module_files
        assert "google_storage_bucket" in types
        assert not {t for t in types if t.startswith("google_cloud_run")}
        assert "run.developer" not in (tree.root("cicd") / "main.tf").read_text()


def test_only_the_chosen_cicd_runner_is_rendered(tree: Terraform) -> None:
    cicd = tree.root("cicd")
    files = {path.name for path in tf_files(cicd)}
    types = resource_types(cicd)
    github_types = {
        "google_iam_workload_identity_pool",
        "google_iam_workload_identity_pool_provider",
        "github_actions_variable",
    }
    if tree.context["cicd_runner"] == "google_cloud_build":
        assert files >= {"cloud_build.tf"}
        assert "github_actions.tf" not in files
        assert "google_cloudbuild_trigger" in types
        assert not types & github_types
        assert "github" not in provider_names(cicd)
    else:
        assert "github_actions.tf" in files
        assert "cloud_build.tf" not in files
        assert types >= github_types
        assert not {t for t in types if t.startswith("google_cloudbuild")}
        assert "github" in provider_names(cicd)


def test_only_the_chosen_session_store_is_rendered(tree: Terraform) -> None:
    module_files = {path.name for path in tf_files(tree.module)}
    types = resource_types(tree.module)
    text = "\n".join(path.read_text() for path in tree.directory.rglob("*.tf"))
    if tree.context["session_store"] == "cloud_sql":
        assert "database.tf" in module_files
        assert types >= {
            "google_sql_database_instance",
            "google_sql_user",
            "google_secret_manager_secret",
        }
        assert "random" in provider_names(tree.module)
    else:
        assert "database.tf" not in module_files
        assert not {t for t in types if t.startswith("google_sql")}
        assert "google_secret_manager_secret" not in types
        assert "random" not in provider_names(tree.module)
        for word in ("DATABASE_URL", "database-url", "sqladmin", "cloudsql"):
            assert word not in text


def test_cloud_build_triggers_match_the_pipelines(tree: Terraform) -> None:
    if tree.context["cicd_runner"] != "google_cloud_build":
        pytest.skip("GitHub Actions: no Cloud Build triggers")
    triggers = {
        unquote(body["name"]): body
        for (kind, _name), body in resources(tree.root("cicd")).items()
        if kind == "google_cloudbuild_trigger"
    }
    assert set(triggers) == {
        "pr-checks", "deploy-staging", "deploy-prod", "drift", "eval-production"
    }  # fmt: skip
    pipelines = {
        "pr-checks": ".cloudbuild/pr_checks.yaml",
        "deploy-staging": ".cloudbuild/staging.yaml",
        "deploy-prod": ".cloudbuild/deploy_to_prod.yaml",
        "drift": ".cloudbuild/drift.yaml",
        "eval-production": ".cloudbuild/eval_production.yaml",
    }
    for name, pipeline in pipelines.items():
        body = triggers[name]
        path = body.get("filename") or single(body, "git_file_source")["path"]
        assert unquote(path) == pipeline
        assert (tree.project / pipeline).is_file(), f"{pipeline} is not rendered"
    assert single(triggers["deploy-prod"], "approval_config")["approval_required"]
    assert "repository_event_config" not in triggers["deploy-prod"]
    (cloud_build,) = [
        entry
        for entry in parse(tree.root("cicd") / "cloud_build.tf")["locals"]
        if "substitutions" in entry
    ]
    assert set(cloud_build["substitutions"]) >= TRIGGER_SUBSTITUTIONS
    assert "registry_uri" in cloud_build["substitutions"]["_REGISTRY"]
    assert "docker_hub.registry_uri" in cloud_build["substitutions"]["_MIRROR"]


def test_cloud_build_pulls_step_images_through_the_mirror(tree: Terraform) -> None:
    """Every step image comes through the Docker Hub remote repository, which each
    build identity may read, and nothing is pulled from Docker Hub directly."""
    if tree.context["cicd_runner"] != "google_cloud_build":
        pytest.skip("GitHub Actions: no Cloud Build steps")
    cicd = resources(tree.root("cicd"))
    mirror = cicd[("google_artifact_registry_repository", "docker_hub")]
    assert unquote(mirror["mode"]) == "REMOTE_REPOSITORY"
    config = mirror["remote_repository_config"][0]["docker_repository"][0]
    assert unquote(config["public_repository"]) == "DOCKER_HUB"
    readers = cicd[
        ("google_artifact_registry_repository_iam_member", "builds_pull_step_images")
    ]
    assert unquote(readers["role"]) == "roles/artifactregistry.reader"
    for pipeline in sorted((tree.project / ".cloudbuild").glob("*.yaml")):
        for step in yaml.safe_load(pipeline.read_text())["steps"]:
            assert step["name"].startswith("${_MIRROR}/"), (pipeline.name, step)


def test_github_variables_match_the_workflows(tree: Terraform) -> None:
    if tree.context["cicd_runner"] != "github_actions":
        pytest.skip("Cloud Build: no GitHub Actions variables")
    (github,) = [
        entry
        for entry in parse(tree.root("cicd") / "github_actions.tf")["locals"]
        if "github_variables" in entry
    ]
    assert set(github["github_variables"]) == {
        "DRIFT_BIGQUERY_TABLE",
        "DRIFT_DAYS",
        "EVALUATE_PRODUCTION",
        "PRODUCTION_BIGQUERY_TABLE",
        "SCORES_BIGQUERY_TABLE",
        "GCP_WORKLOAD_IDENTITY_PROVIDER",
        "GCP_SERVICE_ACCOUNT",
        "REGISTRY",
        "REGION",
        "CICD_PROJECT_ID",
        "STAGING_PROJECT_ID",
        "PROD_PROJECT_ID",
        "APP",
    }
    (provider,) = [
        body
        for (kind, _name), body in resources(tree.root("cicd")).items()
        if kind == "google_iam_workload_identity_pool_provider"
    ]
    assert "assertion.repository ==" in provider["attribute_condition"]
    # The prod workflow's job waits for an approval in this environment.
    environments = [
        unquote(body["environment"])
        for (kind, _name), body in resources(tree.root("cicd")).items()
        if kind == "github_repository_environment"
    ]
    assert environments == ["production"]


def variables(directory: Path) -> dict[str, dict[str, Any]]:
    return {
        unquote(name): body
        for path in tf_files(directory)
        for entry in parse(path).get("variable", [])
        for name, body in entry.items()
    }


def local_values(path: Path) -> dict[str, Any]:
    return {
        name: value
        for entry in parse(path).get("locals", [])
        for name, value in entry.items()
        if not name.startswith("__")
    }


def assert_tunable(variable: dict[str, Any], name: str) -> None:
    """A knob users set: documented, with a default, and checked."""
    assert len(unquote(variable.get("description", ""))) > 40, f"{name}: description"
    assert "default" in variable, f"{name}: no default"
    assert variable.get("validation"), f"{name}: no validation"


# What the log sink names a table: the log id with "/" and "." replaced by "_".
DRIFT_LOG_IDS = {
    "cloud_run": "run.googleapis.com/stdout",
    "agent_engine": "aiplatform.googleapis.com/reasoning_engine_stdout",
}


def test_ci_deploys_with_run_developer_on_its_service_and_job_only(
    tree: Terraform,
) -> None:
    """The pipelines update what Terraform created: no Cloud Run role project-wide."""
    for directory in [tree.module] + [tree.root(root) for root in ROOTS]:
        for (kind, name), body in resources(directory).items():
            if kind == "google_project_iam_member":
                role = unquote(str(body["role"]))
                assert not role.startswith("roles/run."), f"{directory.name}: {name}"
    developers = {
        (kind, body["name"]): body
        for (kind, _name), body in resources(tree.module).items()
        if unquote(str(body.get("role"))) == "roles/run.developer"
    }
    for body in developers.values():
        # The CI account of staging and prod; dev has none.
        member = unquote(body["member"])
        assert member == "serviceAccount:${var.ci_service_account_email}"
        assert body["count"] == "${var.ci_service_account_email == null ? 0 : 1}"
    expected = set()
    if tree.context["deployment_target"] == "cloud_run":
        expected.add(
            (
                "google_cloud_run_v2_service_iam_member",
                "${google_cloud_run_v2_service.app.name}",
            )
        )
    if tree.context["agent"] == "rag":
        expected.add(
            (
                "google_cloud_run_v2_job_iam_member",
                "${google_cloud_run_v2_job.ingest.name}",
            )
        )
    assert set(developers) == expected


def test_drift_reads_the_prod_table_of_the_agents_logs(tree: Terraform) -> None:
    cicd = local_values(tree.root("cicd") / "drift.tf")
    log_id = DRIFT_LOG_IDS[tree.context["deployment_target"]]
    table = log_id.replace("/", "_").replace(".", "_")
    assert unquote(cicd["drift_log_table"]) == table
    assert unquote(cicd["drift_bigquery_table"]) == (
        "${var.prod_project_id}.${local.prod_telemetry_dataset}.${local.drift_log_table}"
    )
    # The cicd root names the prod dataset the way the environment module does.
    dataset = resources(tree.module)[("google_bigquery_dataset", "telemetry")]
    assert unquote(cicd["prod_telemetry_dataset"]) == unquote(dataset["dataset_id"])
    outputs = {
        unquote(name)
        for entry in parse(tree.root("cicd") / "outputs.tf")["output"]
        for name in entry
    }
    assert "drift_bigquery_table" in outputs
    assert_tunable(variables(tree.root("cicd"))["drift_days"], "drift_days")


def test_drift_identity_reads_prod_and_nothing_more(tree: Terraform) -> None:
    cicd = resources(tree.root("cicd"))
    drift = local_values(tree.root("cicd") / "drift.tf")
    cloud_build = tree.context["cicd_runner"] == "google_cloud_build"
    identity = "drift" if cloud_build else "ci"
    assert unquote(drift["drift_member"]) == (
        f"serviceAccount:${{google_service_account.{identity}.email}}"
    )
    prod_roles = {
        unquote(body["role"])
        for (kind, _name), body in cicd.items()
        if kind == "google_project_iam_member"
        and body["project"] == "${var.prod_project_id}"
        and body["member"] in ("${local.drift_member}", drift["drift_member"])
    }
    assert "roles/bigquery.jobUser" in prod_roles
    if cloud_build:
        # Its own account: exactly what drift needs, in prod.
        assert prod_roles == {"roles/bigquery.jobUser", "roles/aiplatform.user"}
        drift_roles = {
            (body["project"], unquote(body["role"]))
            for (kind, _name), body in cicd.items()
            if kind == "google_project_iam_member"
            and body["member"] == "${local.drift_member}"
        }
        assert drift_roles == {
            ("${var.cicd_project_id}", "roles/logging.logWriter"),
            ("${var.prod_project_id}", "roles/bigquery.jobUser"),
            ("${var.prod_project_id}", "roles/aiplatform.user"),
        }
    else:
        # The CI account calls Vertex AI in prod either way (embeddings, or the
        # Agent Engine deployment); one binding, not two.
        vertex_in_prod = [
            body
            for (kind, _name), body in cicd.items()
            if kind == "google_project_iam_member"
            and body["project"] == "${var.prod_project_id}"
            and unquote(body["role"]) == "roles/aiplatform.user"
        ]
        assert len(vertex_in_prod) == 1
    # Reading is granted on the prod dataset only, by the prod root.
    module = resources(tree.module)
    readers = module[("google_bigquery_dataset_iam_member", "telemetry_readers")]
    assert unquote(readers["role"]) == "roles/bigquery.dataViewer"
    assert "google_bigquery_dataset.telemetry" in readers["dataset_id"]
    prod = single(parse(tree.root("prod") / "main.tf")["module"][0], '"environment"')
    assert "local.drift_service_account_email" in str(prod["telemetry_readers"])
    for root in ("staging", "dev"):
        environment = parse(tree.root(root) / "main.tf")["module"][0]
        assert "telemetry_readers" not in single(environment, '"environment"')
    prod_locals = local_values(tree.root("prod") / "main.tf")
    email = unquote(prod_locals["drift_service_account_email"])
    if cloud_build:
        # The prod root computes the email the cicd root gives the account.
        account_id = drift["drift_service_account_id"].removeprefix("${")[:-1]
        assert email.startswith(f"${{{account_id}}}@${{var.cicd_project_id}}")
    else:
        assert email == "${local.ci_service_account_email}"


def test_cloud_build_runs_drift_daily_and_alerts_on_failure(tree: Terraform) -> None:
    cicd = resources(tree.root("cicd"))
    types = {kind for kind, _name in cicd}
    drift_types = {
        "google_cloud_scheduler_job",
        "google_logging_metric",
        "google_monitoring_alert_policy",
        "google_project_iam_custom_role",
    }
    if tree.context["cicd_runner"] != "google_cloud_build":
        # Only the production evaluation's alert (production_eval.tf).
        alerts = {
            name for kind, name in cicd if kind == "google_monitoring_alert_policy"
        }
        assert alerts <= {"production_scores_dropped"}
        assert not types & (drift_types - {"google_monitoring_alert_policy"})
        assert not (tree.root("cicd") / "drift_schedule.tf").exists()
        return
    assert types >= drift_types
    trigger = cicd[("google_cloudbuild_trigger", "drift")]
    assert unquote(trigger["name"]) == "drift"
    # Manual: no repository event starts it, the schedule does.
    assert "repository_event_config" not in trigger
    assert "approval_config" not in trigger
    source = single(trigger, "source_to_build")
    assert source["repository"] == "${google_cloudbuildv2_repository.app.id}"
    assert trigger["service_account"] == "${google_service_account.drift.id}"
    for name in ("_DRIFT_BIGQUERY_TABLE", "_DRIFT_DAYS", "local.substitutions"):
        assert name in trigger["substitutions"]

    job = cicd[("google_cloud_scheduler_job", "drift")]
    assert job["schedule"] == "${var.drift_schedule}"
    target = single(job, "http_target")
    assert unquote(target["http_method"]) == "POST"
    uri = unquote(target["uri"])
    assert uri.startswith("https://cloudbuild.googleapis.com/v1/projects/")
    assert uri.endswith("/triggers/${google_cloudbuild_trigger.drift.trigger_id}:run")
    token = single(target, "oauth_token")
    scheduler = "google_service_account.drift_scheduler.email"
    assert token["service_account_email"] == f"${{{scheduler}}}"
    for name in ("drift_schedule", "drift_time_zone"):
        assert_tunable(variables(tree.root("cicd"))[name], name)

    # The scheduler's account may start builds and act as the drift account: no more.
    role = cicd[("google_project_iam_custom_role", "trigger_runner")]
    assert [unquote(p) for p in role["permissions"]] == ["cloudbuild.builds.create"]
    scheduler_bindings = [
        body
        for (kind, _name), body in cicd.items()
        if kind.endswith("_iam_member") and scheduler in body["member"]
    ]
    assert sorted(unquote(body["role"]) for body in scheduler_bindings) == [
        "${google_project_iam_custom_role.trigger_runner.name}",
        "roles/iam.serviceAccountUser",
    ]

    metric = cicd[("google_logging_metric", "drift_build_failures")]
    assert "google_cloudbuild_trigger.drift.trigger_id" in metric["filter"]
    assert 'resource.type = \\"build\\"' in metric["filter"]
    policies = {
        name: body
        for (kind, name), body in cicd.items()
        if kind == "google_monitoring_alert_policy" and name.startswith("drift")
    }
    assert set(policies) == {"drift_failed", "drift_not_started"}
    condition = single(
        single(policies["drift_failed"], "conditions"), "condition_threshold"
    )
    assert "google_logging_metric.drift_build_failures.name" in condition["filter"]
    not_started = single(policies["drift_not_started"], "conditions")
    assert "google_cloud_scheduler_job.drift.name" in str(not_started)
    for policy in policies.values():
        assert policy["notification_channels"] == "${local.cicd_notification_channels}"
    for name in ("alert_email", "notification_channels"):
        assert name in variables(tree.root("cicd"))


def test_production_evaluation_is_scheduled_off_by_default_and_alerts(
    tree: Terraform,
) -> None:
    """The daily `make eval-production` on prod's capture table, as the drift
    identity (which prod lets read the captured runs), only once switched on."""
    cicd = resources(tree.root("cicd"))
    tables = local_values(tree.root("cicd") / "production_eval.tf")
    assert unquote(tables["production_runs_table"]) == (
        "${local.prod_capture_dataset}.runs"
    )
    switch = variables(tree.root("cicd"))["evaluate_production"]
    assert switch["default"] is False
    if tree.context["cicd_runner"] != "google_cloud_build":
        workflow = yaml.safe_load(
            (tree.project / ".github/workflows/eval_production.yaml").read_text()
        )
        (job,) = workflow["jobs"].values()
        assert job["env"]["EVALUATE_PRODUCTION"] == "${{ vars.EVALUATE_PRODUCTION }}"
        # Its failure reaches Cloud Monitoring through a log entry.
        (report,) = [s for s in job["steps"] if "failure()" in str(s.get("if"))]
        assert "gcloud logging write eval-production" in report["run"]
        policy = cicd[("google_monitoring_alert_policy", "production_scores_dropped")]
        matched = single(single(policy, "conditions"), "condition_matched_log")
        assert "/logs/eval-production" in matched["filter"]
        assert policy["notification_channels"] == "${local.cicd_notification_channels}"
        writer = cicd[("google_project_iam_member", "ci_writes_production_eval_log")]
        assert unquote(writer["role"]) == "roles/logging.logWriter"
        assert any(
            "make eval-production" in step.get("run", "") for step in job["steps"]
        )
        return
    trigger = cicd[("google_cloudbuild_trigger", "production_eval")]
    assert trigger["count"] == "${var.evaluate_production ? 1 : 0}"
    assert unquote(trigger["name"]) == "eval-production"
    assert trigger["service_account"] == "${google_service_account.drift.id}"
    for name in ("_PRODUCTION_BIGQUERY_TABLE", "_SCORES_BIGQUERY_TABLE"):
        assert name in trigger["substitutions"]
    job = cicd[("google_cloud_scheduler_job", "production_eval")]
    assert job["schedule"] == "${var.production_eval_schedule}"
    assert "production_eval[0].trigger_id}:run" in unquote(
        single(job, "http_target")["uri"]
    )
    assert_tunable(
        variables(tree.root("cicd"))["production_eval_schedule"],
        "production_eval_schedule",
    )
    policy = cicd[("google_monitoring_alert_policy", "production_scores_dropped")]
    condition = single(single(policy, "conditions"), "condition_threshold")
    assert "google_logging_metric.production_eval_failures" in condition["filter"]
    assert policy["notification_channels"] == "${local.cicd_notification_channels}"


def test_captured_runs_are_kept_apart_with_their_retention_and_readers(
    tree: Terraform,
) -> None:
    module = resources(tree.module)
    dataset = module[("google_bigquery_dataset", "capture")]
    assert dataset["default_partition_expiration_ms"] == "${local.capture_expiration}"
    runs = module[("google_bigquery_table", "captured_runs")]
    partitioning = single(runs, "time_partitioning")
    assert unquote(partitioning["field"]) == "captured_at"
    assert partitioning["expiration_ms"] == "${local.capture_expiration}"
    assert_tunable(
        variables(tree.module)["capture_retention_days"], "capture_retention_days"
    )
    # The app may write the runs table, and nothing else of the dataset.
    writer = module[("google_bigquery_table_iam_member", "app_captures_runs")]
    assert writer["table_id"] == "${google_bigquery_table.captured_runs.table_id}"
    assert "google_service_account.app.email" in writer["member"]
    app_bindings = [
        name
        for (kind, name), body in module.items()
        if kind.startswith("google_bigquery")
        and kind.endswith("_iam_member")
        and "google_service_account.app.email" in str(body.get("member"))
    ]
    assert app_bindings == ["app_captures_runs"]
    # Prod lets the evaluation job read the runs.
    prod = single(parse(tree.root("prod") / "main.tf")["module"][0], '"environment"')
    assert "drift_service_account_email" in str(prod["capture_readers"])
    if tree.context["deployment_target"] == "cloud_run":
        # Off by default; on, the service gets CAPTURE_RUNS=bigquery.
        assert variables(tree.module)["capture_runs"]["default"] is False
        assert prod["capture_runs"] == "${var.capture_runs}"
        service = (tree.module / "cloud_run.tf").read_text()
        assert 'value = var.capture_runs ? "bigquery" : "off"' in service
        return
    # Agent Engine: Terraform does not own the engine's environment; the prod
    # pipeline passes --capture-table once the cicd root evaluates production.
    assert "capture_runs" not in variables(tree.module)
    assert "capture_runs" not in prod
    if tree.context["cicd_runner"] == "google_cloud_build":
        cicd = resources(tree.root("cicd"))
        trigger = cicd[("google_cloudbuild_trigger", "deploy_prod")]
        assert "var.evaluate_production" in str(trigger["substitutions"])
        pipeline = (tree.project / ".cloudbuild/deploy_to_prod.yaml").read_text()
    else:
        workflow = tree.project / ".github/workflows/deploy_to_prod.yaml"
        pipeline = workflow.read_text()
    assert "--capture-table" in pipeline


def test_every_environment_alerts_on_token_spikes(tree: Terraform) -> None:
    module = resources(tree.module)
    policies = {
        name
        for (kind, name), _body in module.items()
        if kind == "google_monitoring_alert_policy"
    }
    expected = {"error_rate", "latency_p95", "failed_runs", "token_spike"}
    if tree.context["agent"] == "rag":
        expected |= {"ingest_failed", "ingest_not_started"}
    assert policies == expected
    metric = module[("google_logging_metric", "run_tokens")]
    assert metric["filter"].startswith('"${local.app_logs_filter} AND ')
    assert "run finished" in metric["filter"]
    assert unquote(metric["value_extractor"]) == "EXTRACT(jsonPayload.run.total_tokens)"
    assert set(metric["label_extractors"]) == {"model"}
    descriptor = single(metric, "metric_descriptor")
    assert unquote(descriptor["value_type"]) == "DISTRIBUTION"
    assert unquote(single(descriptor, "labels")["key"]) == "model"
    policy = module[("google_monitoring_alert_policy", "token_spike")]
    condition = single(single(policy, "conditions"), "condition_threshold")
    assert "google_logging_metric.run_tokens.name" in condition["filter"]
    assert "${local.app_logs_filter}" in condition["filter"]
    assert condition["threshold_value"] == "${var.token_spike_threshold}"
    aggregation = single(condition, "aggregations")
    assert aggregation["alignment_period"] == "${var.token_spike_window}"
    assert [unquote(f) for f in aggregation["group_by_fields"]] == [
        "metric.label.model"
    ]
    assert policy["notification_channels"] == "${local.notification_channels}"
    for name in ("token_spike_threshold", "token_spike_window"):
        assert_tunable(variables(tree.module)[name], name)


KNOWLEDGE_TYPES = {
    "google_cloud_run_v2_job",
    "google_cloud_run_v2_job_iam_member",
    "google_cloud_scheduler_job",
}
KNOWLEDGE_WORDS = (
    "KNOWLEDGE_STORE",
    "EMBEDDING_PROVIDER",
    "${var.project_id}-knowledge",
    "-ingest",
    "ingest_schedule",
)


def env_of(container: dict[str, Any]) -> dict[str, Any]:
    """A container's env blocks by name: a literal value, or its value_source."""
    return {
        unquote(item["name"]): (
            unquote(item["value"]) if "value" in item else single(item, "value_source")
        )
        for item in container["env"]
    }


def test_only_the_rag_agent_has_a_knowledge_base(tree: Terraform) -> None:
    module_files = {path.name for path in tf_files(tree.module)}
    types = resource_types(tree.module)
    if tree.context["agent"] == "rag":
        assert "knowledge.tf" in module_files
        assert types >= KNOWLEDGE_TYPES
        return
    assert "knowledge.tf" not in module_files
    assert not types & KNOWLEDGE_TYPES
    for directory in [tree.module] + [tree.root(root) for root in ROOTS[1:]]:
        for path in tf_files(directory):
            text = path.read_text(encoding="utf-8")
            for word in KNOWLEDGE_WORDS:
                assert word not in text, f"{path.relative_to(tree.directory)}: {word}"
    assert "cloudscheduler" not in (tree.module / "main.tf").read_text()


@pytest.fixture
def rag(tree: Terraform) -> Terraform:
    if tree.context["agent"] != "rag":
        pytest.skip("the react agent has no knowledge base")
    return tree


def test_knowledge_bucket_is_private_versioned_and_named_after_the_project(
    rag: Terraform,
) -> None:
    module = resources(rag.module)
    knowledge = local_values(rag.module / "knowledge.tf")
    assert unquote(knowledge["knowledge_bucket"]) == "${var.project_id}-knowledge"
    bucket = module[("google_storage_bucket", "knowledge")]
    assert bucket["name"] == "${local.knowledge_bucket}"
    assert bucket["uniform_bucket_level_access"] is True
    assert unquote(bucket["public_access_prevention"]) == "enforced"
    assert single(bucket, "versioning")["enabled"] is True
    assert bucket["labels"] == "${local.labels}"
    assert bucket["force_destroy"] == "${!var.deletion_protection}"
    # The ingestion reads it; the CI account syncs it; nobody else is granted it.
    bindings = {
        (unquote(body["role"]), unquote(body["member"]))
        for (kind, _name), body in module.items()
        if kind == "google_storage_bucket_iam_member"
        and body["bucket"] == "${google_storage_bucket.knowledge.name}"
    }
    ci = "serviceAccount:${var.ci_service_account_email}"
    assert bindings == {
        (
            "roles/storage.objectViewer",
            "serviceAccount:${google_service_account.ingest.email}",
        ),
        ("${each.value}", ci),
    }
    ci_sync = module[("google_storage_bucket_iam_member", "ci_syncs_knowledge")]
    assert "roles/storage.objectAdmin" in ci_sync["for_each"]


def test_ingestion_job_runs_the_app_image_against_the_database(rag: Terraform) -> None:
    module = resources(rag.module)
    knowledge = local_values(rag.module / "knowledge.tf")
    assert unquote(knowledge["ingest_job"]) == "${local.app}-ingest"
    job = module[("google_cloud_run_v2_job", "ingest")]
    assert job["name"] == "${local.ingest_job}"
    assert job["deletion_protection"] == "${var.deletion_protection}"
    execution = single(job, "template")
    assert execution["task_count"] == 1
    task = single(execution, "template")
    assert task["service_account"] == "${google_service_account.ingest.email}"
    container = single(task, "containers")
    assert container["image"] == "${var.image}"
    command = [unquote(arg) for arg in container["command"] + container["args"]]
    assert command[:4] == ["python", "-m", "${local.package}.knowledge", "ingest"]
    assert "gs://${google_storage_bucket.knowledge.name}/" in command
    env = env_of(container)
    assert env["KNOWLEDGE_STORE"] == "pgvector"
    assert env["EMBEDDING_PROVIDER"] == "vertex"
    assert env["GOOGLE_CLOUD_PROJECT"] == "${var.project_id}"
    assert env["GOOGLE_CLOUD_LOCATION"] == "${var.region}"
    reference = single(env["DATABASE_URL"], "secret_key_ref")
    assert reference["secret"] == (
        "${google_secret_manager_secret.database_url.secret_id}"  # noqa: S105
    )
    # The Cloud SQL socket, mounted exactly as the service mounts it.
    service = module[("google_cloud_run_v2_service", "app")]
    service_template = single(service, "template")
    assert single(container, "volume_mounts") == single(
        single(service_template, "containers"), "volume_mounts"
    )
    assert single(task, "volumes") == single(service_template, "volumes")
    # The pipelines roll out its image, as they do the service's.
    lifecycle = single(job, "lifecycle")
    assert (
        "${template[0].template[0].containers[0].image}" in lifecycle["ignore_changes"]
    )
    # The service searches what the job ingests, with the same embeddings.
    service_env = env_of(single(service_template, "containers"))
    assert service_env["KNOWLEDGE_STORE"] == "pgvector"
    assert service_env["EMBEDDING_PROVIDER"] == "vertex"


def test_ingestion_identity_holds_only_what_it_needs(rag: Terraform) -> None:
    module = resources(rag.module)
    knowledge = local_values(rag.module / "knowledge.tf")
    assert knowledge["ingest_roles"] == (
        '${toset(["roles/aiplatform.user", "roles/cloudsql.client", '
        '"roles/logging.logWriter"])}'
    )
    ingest = "google_service_account.ingest.email"
    granted = sorted(
        (kind, unquote(body["role"]))
        for (kind, _name), body in module.items()
        if kind.endswith("_iam_member") and ingest in body["member"]
    )
    assert granted == [
        ("google_project_iam_member", "${each.value}"),
        (
            "google_secret_manager_secret_iam_member",
            "roles/secretmanager.secretAccessor",
        ),
        ("google_storage_bucket_iam_member", "roles/storage.objectViewer"),
    ]
    # The CI account updates the job, so it acts as the job's account: that one only.
    acts_as = module[("google_service_account_iam_member", "ci_acts_as_ingest")]
    assert acts_as["service_account_id"] == "${google_service_account.ingest.name}"
    assert unquote(acts_as["role"]) == "roles/iam.serviceAccountUser"
    # Updating and executing the job take roles/run.developer: on that job alone.
    deploys = module[("google_cloud_run_v2_job_iam_member", "ci_deploys_ingest")]
    assert deploys["name"] == "${google_cloud_run_v2_job.ingest.name}"
    assert unquote(deploys["role"]) == "roles/run.developer"
    ci = "serviceAccount:${var.ci_service_account_email}"
    assert unquote(deploys["member"]) == ci


def test_ingestion_runs_daily_and_alerts_on_failure(rag: Terraform) -> None:
    module = resources(rag.module)
    schedule = module[("google_cloud_scheduler_job", "ingest")]
    assert schedule["schedule"] == "${var.ingest_schedule}"
    assert schedule["time_zone"] == "${var.ingest_time_zone}"
    target = single(schedule, "http_target")
    assert unquote(target["http_method"]) == "POST"
    uri = unquote(target["uri"])
    assert uri.startswith("https://run.googleapis.com/v2/projects/${var.project_id}/")
    assert uri.endswith("/jobs/${google_cloud_run_v2_job.ingest.name}:run")
    scheduler = "google_service_account.ingest_scheduler.email"
    token = single(target, "oauth_token")
    assert token["service_account_email"] == f"${{{scheduler}}}"
    # The scheduler's account may run this job and do nothing else.
    bindings = [
        (kind, body)
        for (kind, _name), body in module.items()
        if kind.endswith("_iam_member") and scheduler in body["member"]
    ]
    assert len(bindings) == 1
    kind, binding = bindings[0]
    assert kind == "google_cloud_run_v2_job_iam_member"
    assert unquote(binding["role"]) == "roles/run.invoker"
    assert binding["name"] == "${google_cloud_run_v2_job.ingest.name}"
    main = local_values(rag.module / "main.tf")
    assert "cloudscheduler.googleapis.com" in main["services"]
    for name in ("ingest_schedule", "ingest_time_zone"):
        assert_tunable(variables(rag.module)[name], name)

    failed = module[("google_monitoring_alert_policy", "ingest_failed")]
    condition = single(single(failed, "conditions"), "condition_threshold")
    knowledge = local_values(rag.module / "knowledge.tf")
    assert condition["filter"] == "${local.ingest_failed_filter}"
    for part in (
        'resource.type = \\"cloud_run_job\\"',
        "google_cloud_run_v2_job.ingest.name",
        'metric.type = \\"run.googleapis.com/job/completed_execution_count\\"',
        'metric.labels.result = \\"failed\\"',
    ):
        assert part in knowledge["ingest_failed_filter"], part
    not_started = single(
        single(
            module[("google_monitoring_alert_policy", "ingest_not_started")],
            "conditions",
        ),
        "condition_matched_log",
    )
    assert "google_cloud_scheduler_job.ingest.name" in not_started["filter"]
    for name in ("ingest_failed", "ingest_not_started"):
        policy = module[("google_monitoring_alert_policy", name)]
        assert policy["notification_channels"] == "${local.notification_channels}"
    # What to check, and how to run it again once fixed.
    documentation = unquote(single(failed, "documentation")["content"])
    assert "gcloud run jobs execute ${local.ingest_job}" in documentation


def test_every_root_outputs_the_knowledge_bucket_and_job(rag: Terraform) -> None:
    for directory in [rag.module] + [rag.root(root) for root in ROOTS[1:]]:
        outputs = {
            unquote(name)
            for entry in parse(directory / "outputs.tf")["output"]
            for name in entry
        }
        assert outputs >= {"knowledge_bucket", "ingest_job"}, directory.name


def test_service_account_ids_stay_distinct_for_the_longest_slug(rag: Terraform) -> None:
    """The module's ids, computed as Terraform does, for a 49-character slug."""
    slug = "customer-support-escalation-and-knowledge-base-ag"
    knowledge = local_values(rag.module / "knowledge.tf")
    main = local_values(rag.module / "main.tf")
    assert main["app_service_account_id"] == '${substr("${local.app}-app", 0, 30)}'
    assert knowledge["ingest_service_account_id"] == (
        '${trimsuffix("ingest-${substr(local.app, 0, 23)}", "-")}'
    )
    assert knowledge["ingest_scheduler_service_account_id"] == (
        '${trimsuffix("ingest-sched-${substr(local.app, 0, 17)}", "-")}'
    )
    ids = {
        f"{slug}-app"[:30],
        f"ingest-{slug[:23]}".removesuffix("-"),
        f"ingest-sched-{slug[:17]}".removesuffix("-"),
    }
    assert len(ids) == 3
    for account_id in ids:
        assert re.fullmatch(r"[a-z][-a-z0-9]{4,28}[a-z0-9]", account_id), account_id
    assert len(f"{slug}-ingest") <= 63


def test_names_follow_the_deployment_contract(tree: Terraform) -> None:
    slug = tree.context["project_slug"]
    for directory in (tree.module, tree.root("cicd")):
        (names,) = [
            entry
            for path in tf_files(directory)
            for entry in parse(path).get("locals", [])
            if "app" in entry
        ]
        assert unquote(names["app"]) == slug
    cicd = resources(tree.root("cicd"))
    registry = cicd[("google_artifact_registry_repository", "app")]
    assert registry["repository_id"] == "${local.app}"
    assert unquote(registry["format"]) == "DOCKER"
    module = resources(tree.module)
    if tree.context["deployment_target"] == "cloud_run":
        service = module[("google_cloud_run_v2_service", "app")]
        assert service["name"] == "${local.app}"
        assert "google_cloud_run_v2_service_iam_member" in resource_types(tree.module)
        text = (tree.module / "cloud_run.tf").read_text()
        assert '"allUsers"' not in text
        assert '"/readyz"' in text
        assert "container_port = 8080" in text
    if tree.context["session_store"] == "cloud_sql":
        secret = module[("google_secret_manager_secret", "database_url")]
        assert unquote(secret["secret_id"]) == "database-url"


def test_no_machine_paths_or_registry_hosts(tree: Terraform) -> None:
    for path in project_files(tree.directory):
        text = path.read_text(encoding="utf-8")
        for word in FORBIDDEN_WORDS:
            assert word not in text, f"{path.relative_to(tree.directory)}: {word}"


def test_users_words_stay_out_of_the_logs_unless_prod_opts_in(tree: Terraform) -> None:
    """LOG_USER_INPUTS is off by default, in the module and in the one root (prod)
    that passes it on; the service serves neither API docs nor the playground."""
    assert variables(tree.module)["log_user_inputs"]["default"] is False
    assert variables(tree.root("prod"))["log_user_inputs"]["default"] is False
    [prod] = [
        body
        for entry in parse(tree.root("prod") / "main.tf")["module"]
        for body in entry.values()
    ]
    assert prod["log_user_inputs"] == "${var.log_user_inputs}"
    example = (tree.root("prod") / "terraform.tfvars.example").read_text()
    assert "\nlog_user_inputs = false\n" in example
    if tree.context["deployment_target"] != "cloud_run":
        return
    service = resources(tree.module)[("google_cloud_run_v2_service", "app")]
    env = env_of(single(single(service, "template"), "containers"))
    assert env["SERVE_API_DOCS"] == "false"
    assert env["SERVE_PLAYGROUND"] == "false"


def test_the_service_gives_each_caller_their_own_threads(tree: Terraform) -> None:
    """The deployed service verifies callers' Google ID tokens (AUTH_MODE=google),
    minted for its deterministic URL, which Terraform knows before the service
    exists; every root passes the choice on, and `google` is the default."""
    if tree.context["deployment_target"] != "cloud_run":
        pytest.skip("Agent Engine: no AUTH_MODE, the platform authenticates")
    module = variables(tree.module)
    assert_tunable(module["auth_mode"], "auth_mode")
    assert unquote(module["auth_mode"]["default"]) == "google"
    assert module["auth_extra_audiences"]["default"] == []
    service = resources(tree.module)[("google_cloud_run_v2_service", "app")]
    env = env_of(single(single(service, "template"), "containers"))
    assert env["AUTH_MODE"] == "${var.auth_mode}"
    assert env["AUTH_AUDIENCE"] == (
        '${join(",", concat([local.service_url], var.auth_extra_audiences))}'
    )
    # The A2A agent card names the same URL (docs/a2a.md).
    assert env["PUBLIC_URL"] == "${local.service_url}"
    [service_url] = [
        value
        for path in tf_files(tree.module)
        for name, value in local_values(path).items()
        if name == "service_url"
    ]
    assert unquote(service_url) == (
        "https://${local.app}-${data.google_project.this.number}.${var.region}.run.app"
    )
    for root in ("dev", "staging", "prod"):
        assert unquote(variables(tree.root(root))["auth_mode"]["default"]) == "google"
        [call] = [
            body
            for entry in parse(tree.root(root) / "main.tf")["module"]
            for body in entry.values()
        ]
        assert call["auth_mode"] == "${var.auth_mode}", root
        assert call["auth_extra_audiences"] == "${var.auth_extra_audiences}", root
        example = (tree.root(root) / "terraform.tfvars.example").read_text()
        assert '\nauth_mode = "google"\n' in example, root


def test_each_environment_screens_with_its_own_model_armor_template(
    tree: Terraform,
) -> None:
    """Terraform creates the environment's Model Armor template (filters and
    confidence levels as checked variables), enables the API, lets the runtime
    identity screen with templates and nothing more, and points the agent at it:
    Cloud Run through its env, Agent Engine through the deploy script's flag."""
    template = resources(tree.module)[("google_model_armor_template", "guardrail")]
    assert template["template_id"] == "${local.model_armor_template}"
    assert template["location"] == "${local.model_armor_location}"
    filters = single(template, "filter_config")
    injection = single(filters, "pi_and_jailbreak_filter_settings")
    assert injection["confidence_level"] == "${var.model_armor_injection_confidence}"
    module = variables(tree.module)
    for name in ("model_armor_injection_confidence", "model_armor_rai_filters"):
        assert_tunable(module[name], name)
    [main] = [p for p in tf_files(tree.module) if p.name == "main.tf"]
    module_locals = local_values(main)
    assert "modelarmor.googleapis.com" in str(module_locals["services"])
    roles = str(module_locals["app_roles"])
    assert "roles/modelarmor.user" in roles
    assert "roles/modelarmor.admin" not in roles
    for root in ("dev", "staging", "prod"):
        [call] = [
            body
            for entry in parse(tree.root(root) / "main.tf")["module"]
            for body in entry.values()
        ]
        name = "model_armor_injection_confidence"
        assert call[name] == f"${{var.{name}}}", root
        assert_tunable(variables(tree.root(root))[name], f"{root}: {name}")
    if tree.context["deployment_target"] == "cloud_run":
        assert_tunable(module["guardrail"], "guardrail")
        assert unquote(module["guardrail"]["default"]) == "model_armor"
        service = resources(tree.module)[("google_cloud_run_v2_service", "app")]
        env = env_of(single(single(service, "template"), "containers"))
        assert env["GUARDRAIL"] == "${var.guardrail}"
        assert env["MODEL_ARMOR_TEMPLATE"] == (
            "${google_model_armor_template.guardrail.template_id}"
        )
        assert env["MODEL_ARMOR_LOCATION"] == (
            "${google_model_armor_template.guardrail.location}"
        )
        for direction in ("prompts", "responses"):
            name = f"model_armor_{direction}_on_fault"
            assert_tunable(module[name], name)
            assert env[name.upper()] == f"${{var.{name}}}"
        for root in ("dev", "staging", "prod"):
            example = (tree.root(root) / "terraform.tfvars.example").read_text()
            assert '\nguardrail = "model_armor"\n' in example, root
        return
    pipelines = [
        path
        for folder in (".cloudbuild", ".github/workflows")
        for path in sorted((tree.project / folder).glob("*.yaml"))
        if "deploy_agent_engine.py" in path.read_text()
    ]
    assert pipelines
    for path in pipelines:
        environment = "prod" if "prod" in path.name else "staging"
        text = path.read_text()
        assert '--model-armor-template "$' in text, path.name
        assert f'-{environment}" \\' in text, path.name


def test_cloud_run_takes_its_mcp_servers_from_each_environment(tree: Terraform) -> None:
    """MCP_SERVERS is a checked variable of every root, passed to the service's env
    (Agent Engine's environment is the deploy script's, not Terraform's)."""
    if tree.context["deployment_target"] != "cloud_run":
        pytest.skip("Agent Engine: Terraform does not own the engine's environment")
    module = variables(tree.module)
    assert_tunable(module["mcp_servers"], "mcp_servers")
    assert unquote(module["mcp_servers"]["default"]) == ""
    service = resources(tree.module)[("google_cloud_run_v2_service", "app")]
    env = env_of(single(single(service, "template"), "containers"))
    assert env["MCP_SERVERS"] == "${var.mcp_servers}"
    for root in ("dev", "staging", "prod"):
        [call] = [
            body
            for entry in parse(tree.root(root) / "main.tf")["module"]
            for body in entry.values()
        ]
        assert call["mcp_servers"] == "${var.mcp_servers}", root
        assert_tunable(variables(tree.root(root))["mcp_servers"], f"{root}: mcp")

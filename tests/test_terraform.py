"""The generated Terraform, for every named combination: it parses, is formatted,
passes checkov, and holds only what the chosen options need."""

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hcl2
import pytest

from helpers import (
    COMBINATIONS,
    TEMPLATE_ROOT,
    bake_or_fail,
    describe_failure,
    project_files,
    run,
)

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


def unquote(text: str) -> str:
    """python-hcl2 (5+) keeps the quotes of block labels and string values."""
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    return text


def tf_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.tf"))


def parse(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as file:
        return hcl2.load(file)


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
        assert "google_storage_bucket" not in types
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
    assert set(triggers) == {"pr-checks", "deploy-staging", "deploy-prod", "drift"}
    pipelines = {
        "pr-checks": ".cloudbuild/pr_checks.yaml",
        "deploy-staging": ".cloudbuild/staging.yaml",
        "deploy-prod": ".cloudbuild/deploy_to_prod.yaml",
        "drift": ".cloudbuild/drift.yaml",
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
    assert set(cloud_build["substitutions"]) >= {
        "_REGISTRY",
        "_REGION",
        "_STAGING_PROJECT_ID",
        "_PROD_PROJECT_ID",
        "_APP",
    }
    assert "registry_uri" in cloud_build["substitutions"]["_REGISTRY"]


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
        assert not types & drift_types
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
        if kind == "google_monitoring_alert_policy"
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


def test_every_environment_alerts_on_token_spikes(tree: Terraform) -> None:
    module = resources(tree.module)
    policies = {
        name
        for (kind, name), _body in module.items()
        if kind == "google_monitoring_alert_policy"
    }
    assert policies == {"error_rate", "latency_p95", "failed_runs", "token_spike"}
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

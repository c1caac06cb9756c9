"""CI/CD pipelines: only the chosen runner's files; Cloud Build configs valid against
the Cloud Build API's schema with every substitution defined; GitHub workflows clean
under actionlint and shellcheck, pinned, with only the inputs their actions declare;
deploys that push with provenance, change only the image, and run in prod the
pipeline of the commit they deploy."""

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hcl2
import pytest
import yaml

from action_inputs import check_action_inputs
from cloud_build_schema import check_build
from helpers import (
    COMBINATIONS,
    TEMPLATE_ROOT,
    TRIGGER_SUBSTITUTIONS,
    bake_or_fail,
    describe_failure,
    run,
)
from linters import actionlint, cloud_build_script, shellcheck

PIPELINE_FILES = {
    "google_cloud_build": [
        ".cloudbuild/pr_checks.yaml",
        ".cloudbuild/staging.yaml",
        ".cloudbuild/deploy_to_prod.yaml",
        ".cloudbuild/drift.yaml",
        ".cloudbuild/eval_production.yaml",
    ],
    "github_actions": [
        ".github/workflows/pr_checks.yaml",
        ".github/workflows/staging.yaml",
        ".github/workflows/deploy_to_prod.yaml",
        ".github/workflows/drift.yaml",
        ".github/workflows/eval_production.yaml",
    ],
}
PIPELINE_DIRECTORIES = {
    "google_cloud_build": ".cloudbuild",
    "github_actions": ".github/workflows",
}

# The one substitution the deploy-prod trigger receives from the staging build.
PROD_SUBSTITUTIONS = frozenset({"_IMAGE_DIGEST", "_STAGING_BUILD_ID"})

PINNED_USES_RE = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")
# What no pipeline may contain: machine paths and registry or package-index hosts
# (the registry arrives as _REGISTRY / vars.REGISTRY).
FORBIDDEN_RE = re.compile(r"/(?:root|work|tmp)\b|\.pkg\.dev|pypi\.org|pythonhosted")

# A deploy changes the image and nothing else: Terraform owns the rest of the service
# and job (`--set-env-vars` would replace their whole environment).
DEPLOY_COMMANDS = ("gcloud run deploy", "gcloud run jobs update")
DEPLOY_FLAGS = frozenset({"--image", "--project", "--region", "--quiet"})
# Workflows of the template repository itself, linted like the generated ones.
TEMPLATE_WORKFLOWS = sorted((TEMPLATE_ROOT / ".github" / "workflows").glob("*.y*ml"))


@dataclass(frozen=True)
class Bake:
    context: dict[str, Any]
    project: Path

    @property
    def runner(self) -> str:
        return str(self.context["cicd_runner"])

    def pipeline_files(self) -> list[Path]:
        return [self.project / name for name in PIPELINE_FILES[self.runner]]


@pytest.fixture(scope="module", params=list(COMBINATIONS))
def bake(request: pytest.FixtureRequest, cookies_session: Any) -> Bake:
    """One bake per combination, shared by the read-only checks below."""
    result = bake_or_fail(cookies_session, COMBINATIONS[request.param])
    return Bake(result.context, Path(result.project_path))


@pytest.fixture
def cloud_build(bake: Bake) -> list[Path]:
    if bake.runner != "google_cloud_build":
        pytest.skip("this combination uses GitHub Actions")
    return bake.pipeline_files()


@pytest.fixture
def workflows(bake: Bake) -> list[Path]:
    if bake.runner != "github_actions":
        pytest.skip("this combination uses Cloud Build")
    return bake.pipeline_files()


def load(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict), f"{path.name} is not a YAML mapping"
    return document


def test_only_the_chosen_runners_files_exist(bake: Bake) -> None:
    for path in bake.pipeline_files():
        assert path.is_file(), f"missing {path.relative_to(bake.project)}"
    for runner, directory in PIPELINE_DIRECTORIES.items():
        if runner == bake.runner:
            continue
        leftovers = [
            str(path.relative_to(bake.project))
            for path in (bake.project / directory).rglob("*")
            if path.is_file()
        ]
        assert leftovers == [], f"files of the unselected runner {runner}"


def test_pipelines_name_no_machine_path_or_registry_host(bake: Bake) -> None:
    for path in bake.pipeline_files():
        found = FORBIDDEN_RE.findall(path.read_text(encoding="utf-8"))
        assert found == [], f"{path.name} contains {found}"


def check_schema(schema: str, files: list[Path]) -> None:
    process = run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema]
        + [str(path) for path in files],
        cwd=files[0].parent,
    )
    assert process.returncode == 0, describe_failure(process)


def test_cloud_build_files_pass_the_schema(cloud_build: list[Path]) -> None:
    check_schema("vendor.cloudbuild", cloud_build)


def test_workflows_pass_the_schema(workflows: list[Path]) -> None:
    check_schema("vendor.github-workflows", workflows)


def test_cloud_build_files_match_the_cloud_build_api(cloud_build: list[Path]) -> None:
    """Fields, types and enums as the API's `Build` resource has them, and every
    `$` a defined substitution or escaped for the shell."""
    problems = []
    for path in cloud_build:
        defined = TRIGGER_SUBSTITUTIONS
        if path.name == "deploy_to_prod.yaml":
            defined |= PROD_SUBSTITUTIONS
        problems += [
            f"{path.name}: {problem}" for problem in check_build(load(path), defined)
        ]
    assert problems == []


def test_cloud_build_scripts_pass_shellcheck(cloud_build: list[Path]) -> None:
    findings = []
    for path in cloud_build:
        for step in load(path)["steps"]:
            script = cloud_build_script(step)
            if script is not None and (found := shellcheck(script)):
                findings.append(f"{path.name}, step {step.get('id')}:\n{found}")
    assert findings == []


def test_cloud_build_logs_to_cloud_logging(cloud_build: list[Path]) -> None:
    """Builds that run as a user-specified service account need a logging choice."""
    for path in cloud_build:
        assert load(path)["options"]["logging"] == "CLOUD_LOGGING_ONLY", path.name


def test_staging_hands_over_to_the_prod_trigger(bake: Bake) -> None:
    staging = (bake.project / PIPELINE_FILES[bake.runner][1]).read_text("utf-8")
    if bake.runner == "google_cloud_build":
        assert "gcloud builds triggers run deploy-prod" in staging
    else:
        assert "uses: ./.github/workflows/deploy_to_prod.yaml" in staging
    if bake.context["deployment_target"] == "cloud_run":
        # Prod gets the digest staging tested, never a rebuild.
        assert "_IMAGE_DIGEST" in staging or "image_digest" in staging
        prod = (bake.project / PIPELINE_FILES[bake.runner][2]).read_text("utf-8")
        assert "docker build" not in prod


def test_cloud_build_pushes_the_image_through_the_images_field(bake: Bake) -> None:
    """Only an image in `images` is in the build's results and gets Cloud Build's
    provenance; prod deploys a digest only once the staging build recorded it."""
    if bake.runner != "google_cloud_build":
        pytest.skip("GitHub Actions: no Cloud Build")
    staging = load(bake.project / PIPELINE_FILES[bake.runner][1])
    if bake.context["deployment_target"] != "cloud_run":
        assert "images" not in staging
        return
    image = "${_REGISTRY}/${_APP}:$COMMIT_SHA"
    assert staging["images"] == [image]
    steps = {step["id"]: step for step in staging["steps"]}
    # Pushed by a step too, because staging deploys it before the build ends.
    assert steps["push"]["args"] == ["push", image]
    assert "_STAGING_BUILD_ID=$BUILD_ID" in shell_of(steps["promote"])
    prod = {
        step["id"]: step
        for step in load(bake.project / PIPELINE_FILES[bake.runner][2])["steps"]
    }
    check = shell_of(prod["check-digest"])
    assert 'gcloud builds describe "$$STAGING_BUILD_ID"' in check
    assert "results.images[].digest" in check
    assert next(iter(prod)) == "check-digest"


def test_prod_runs_the_pipeline_of_the_commit_it_deploys(bake: Bake) -> None:
    """Staging starts prod for its own commit, and prod reads its pipeline there."""
    if bake.runner == "google_cloud_build":
        staging = load(bake.project / PIPELINE_FILES[bake.runner][1])
        (promote,) = [step for step in staging["steps"] if step["id"] == "promote"]
        assert '--sha "$COMMIT_SHA"' in shell_of(promote)
        # Without a revision, the trigger reads its config at the revision it runs.
        tf = bake.project / "deployment" / "terraform" / "cicd" / "cloud_build.tf"
        with tf.open(encoding="utf-8") as file:
            (trigger,) = [
                body
                for entry in hcl2.load(file)["resource"]
                for kind, named in entry.items()
                if kind.strip('"') == "google_cloudbuild_trigger"
                for name, body in named.items()
                if name.strip('"') == "deploy_prod"
            ]
        (config,) = trigger["git_file_source"]
        assert "revision" not in config, "deploy-prod reads its config at one branch"
    else:
        # A local reusable workflow runs at its caller's commit.
        staging = load(bake.project / PIPELINE_FILES[bake.runner][1])
        assert (
            staging["jobs"]["prod"]["uses"] == "./.github/workflows/deploy_to_prod.yaml"
        )
        for step in deploying_steps(bake, 2):
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                assert "ref" not in (step.get("with") or {})


def deploy_commands(text: str) -> Iterator[str]:
    """Each deploying gcloud command of a pipeline, continuation lines joined."""
    for line in text.replace("\\\n", " ").splitlines():
        for command in DEPLOY_COMMANDS:
            if command in line:
                yield line[line.index(command) :]


def test_deploys_change_only_the_image(bake: Bake) -> None:
    for path in bake.pipeline_files():
        for command in deploy_commands(path.read_text(encoding="utf-8")):
            flags = set(re.findall(r"(?<!\S)--[a-z-]+", command))
            assert flags <= DEPLOY_FLAGS, f"{path.name}: {command}"


def shell_of(step: dict[str, Any]) -> str:
    """The script a step runs: a workflow's `run`, or Cloud Build's `bash -c` text."""
    if "run" in step:
        return str(step["run"])
    return "\n".join(str(arg) for arg in step.get("args", []))


def test_drift_runs_make_drift_against_prod(bake: Bake) -> None:
    """The scheduled drift job: `make drift` on prod's BigQuery table, with Vertex AI
    embeddings, in the prod project; a schedule of its own."""
    drift = load(bake.project / PIPELINE_FILES[bake.runner][3])
    if bake.runner == "google_cloud_build":
        (step,) = [step for step in drift["steps"] if "make drift" in shell_of(step)]
        env = dict(item.split("=", 1) for item in step["env"])
        assert env["DRIFT_EMBEDDINGS"] == "vertex"
        assert env["DRIFT_BIGQUERY_TABLE"] == "${_DRIFT_BIGQUERY_TABLE}"
        assert env["DRIFT_DAYS"] == "${_DRIFT_DAYS}"
        assert env["GOOGLE_CLOUD_PROJECT"] == "${_PROD_PROJECT_ID}"
        assert env["GOOGLE_CLOUD_LOCATION"] == "${_REGION}"
        installs = [shell_of(step) for step in drift["steps"]]
        assert any("uv sync --locked --group drift" in text for text in installs)
    else:
        # PyYAML reads the key `on` as True (YAML 1.1).
        triggers = drift.get("on", drift.get(True))
        (schedule,) = triggers["schedule"]
        assert len(schedule["cron"].split()) == 5
        assert "workflow_dispatch" in triggers
        assert "push" not in triggers
        assert "pull_request" not in triggers
        (job,) = drift["jobs"].values()
        assert job["env"]["DRIFT_EMBEDDINGS"] == "vertex"
        assert job["env"]["DRIFT_BIGQUERY_TABLE"] == "${{ vars.DRIFT_BIGQUERY_TABLE }}"
        assert job["env"]["DRIFT_DAYS"] == "${{ vars.DRIFT_DAYS }}"
        scripts = [shell_of(step) for step in job["steps"]]
        assert any("uv sync --locked --group drift" in text for text in scripts)
        (script,) = [text for text in scripts if "make drift" in text]
        assert 'GOOGLE_CLOUD_PROJECT="$PROD_PROJECT_ID"' in script
        # Authenticated like the deploying workflows: the same pinned action.
        assert any(
            str(step.get("uses", "")).startswith("google-github-actions/auth@")
            for step in job["steps"]
        )
        staging = load(bake.project / PIPELINE_FILES[bake.runner][1])
        auth = {
            str(step.get("uses"))
            for workflow in (drift, staging)
            for each_job in workflow["jobs"].values()
            for step in each_job.get("steps", [])
            if str(step.get("uses", "")).startswith("google-github-actions/auth@")
        }
        assert len(auth) == 1
    # Only the drift job runs it: a deploying pipeline never does.
    for path in bake.pipeline_files()[:3]:
        assert "make drift" not in path.read_text(encoding="utf-8"), path.name


def deploying_steps(bake: Bake, index: int) -> list[dict[str, Any]]:
    """The steps of the staging (1) or prod (2) pipeline, in order."""
    document = load(bake.project / PIPELINE_FILES[bake.runner][index])
    if bake.runner == "google_cloud_build":
        return list(document["steps"])
    (job,) = [job for job in document["jobs"].values() if "steps" in job]
    return list(job["steps"])


def position(steps: list[dict[str, Any]], text: str) -> int:
    (found,) = [i for i, step in enumerate(steps) if text in shell_of(step)]
    return found


@pytest.mark.parametrize("index", [1, 2], ids=["staging", "prod"])
def test_rag_ingests_the_knowledge_base_before_checking_the_service(
    bake: Bake, index: int
) -> None:
    """After the deploy and before anything asks the agent: sync knowledge/ to the
    bucket, point the ingestion job at the deployed digest, run it to completion."""
    path = bake.project / PIPELINE_FILES[bake.runner][index]
    if bake.context["agent"] != "rag":
        text = path.read_text(encoding="utf-8")
        for word in ("-knowledge", "-ingest", "gcloud run jobs", "gcloud storage"):
            assert word not in text, f"{path.name}: {word}"
        return
    steps = deploying_steps(bake, index)
    ingest = position(steps, "gcloud run jobs execute")
    script = shell_of(steps[ingest])
    project = "STAGING_PROJECT_ID" if index == 1 else "PROD_PROJECT_ID"
    if bake.runner == "google_cloud_build":
        bucket, job = f"gs://${{_{project}}}-knowledge", "${_APP}-ingest"
        digest = "$$(cat image-digest.txt)" if index == 1 else "${_IMAGE_DIGEST}"
        image = f"${{_REGISTRY}}/${{_APP}}@{digest}"
    else:
        bucket, job = f"gs://${project}-knowledge", "$APP-ingest"
        image = "$IMAGE@$DIGEST"
    assert f'gcloud storage rsync knowledge "{bucket}"' in script
    assert "--recursive --delete-unmatched-destination-objects" in script
    assert f'gcloud run jobs update "{job}"' in script
    assert f'--image "{image}"' in script
    assert f'gcloud run jobs execute "{job}"' in script
    assert "--wait" in script.split("gcloud run jobs execute")[1]
    # Order: the image is deployed, the knowledge ingested, then the checks run.
    assert position(steps, "gcloud run deploy") < ingest
    assert ingest < position(steps, "/readyz")
    if index == 1:
        assert ingest < position(steps, "make load-test")
        assert ingest < position(steps, ".eval run")
    if bake.runner == "github_actions":
        # The workflow has the repository's knowledge/ folder to sync.
        checkout = [
            i
            for i, step in enumerate(steps)
            if str(step.get("uses", "")).startswith("actions/checkout@")
        ]
        assert checkout, f"{path.name}: no checkout"
        assert checkout[0] < ingest


def test_actions_are_pinned_to_a_commit(workflows: list[Path]) -> None:
    unpinned = []
    for path in workflows:
        for line in path.read_text(encoding="utf-8").splitlines():
            key, _, reference = line.strip().removeprefix("- ").partition(":")
            if key != "uses" or reference.strip().startswith("./"):
                continue
            if not PINNED_USES_RE.match(reference.strip()):
                unpinned.append(f"{path.name}: {line.strip()}")
    assert unpinned == []


def test_workflow_permissions_are_minimal(workflows: list[Path]) -> None:
    for path in workflows:
        workflow = load(path)
        assert workflow["permissions"] == {"contents": "read"}, path.name
        for name, job in workflow["jobs"].items():
            permissions = job.get("permissions", workflow["permissions"])
            steps = job.get("steps", [])
            authenticates = any(
                str(step.get("uses", "")).startswith("google-github-actions/auth@")
                for step in steps
            ) or str(job.get("uses", "")).startswith("./")
            expected = {"contents": "read"}
            if authenticates:
                expected["id-token"] = "write"
            assert permissions == expected, f"{path.name}: job {name}"


def test_workflows_run_in_concurrency_groups(workflows: list[Path]) -> None:
    for path in workflows:
        workflow = load(path)
        for name, job in workflow["jobs"].items():
            if "uses" in job:
                continue  # the called workflow's job sets its own group
            assert "concurrency" in workflow or "concurrency" in job, (
                f"{path.name}: job {name} has no concurrency group"
            )


def test_prod_waits_for_approval_in_an_environment(workflows: list[Path]) -> None:
    prod = load(workflows[2])
    assert [job.get("environment") for job in prod["jobs"].values()] == ["production"]


def test_workflows_pass_actionlint_with_shellcheck(workflows: list[Path]) -> None:
    assert actionlint(workflows) == ""


@pytest.mark.skipif(not TEMPLATE_WORKFLOWS, reason="the template has no workflow")
def test_the_template_repositorys_workflows_pass_actionlint() -> None:
    assert actionlint(TEMPLATE_WORKFLOWS) == ""


def test_actions_get_only_the_inputs_they_declare(workflows: list[Path]) -> None:
    problems = []
    for path in workflows:
        problems += check_action_inputs(load(path), path.name)
    assert problems == []

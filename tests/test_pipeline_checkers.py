"""The pipeline checkers themselves: each finds what it was written to find, with a
message that names the place and the fix. No bake: deliberately broken fixtures."""

from pathlib import Path

import yaml

from action_inputs import check_action_inputs, recorded_actions
from cloud_build_schema import check_build
from linters import actionlint, cloud_build_script, shellcheck

BROKEN_CLOUD_BUILD = """
steps:
  - id: deploy
    name: google/cloud-sdk:slim
    entrypointt: bash
    args: -c
    wait_for: [build]
  - id: deploy
    name: python:3.12
    script: echo $HOME ${_NOWHERE} $(date) $$ok ${_APP}
    env: [PROJECT]
options:
  logging: EVERYWHERE
  machineType: N1_HIGHCPU_8
substitutions:
  lowercase: "1"
timeout: 1200
status: SUCCESS
source: {}
"""

A_GOOD_CLOUD_BUILD = """
steps:
  - id: build
    name: docker:27-cli
    args: [build, --tag, "${_REGISTRY}/app:$COMMIT_SHA", .]
  - id: check
    name: google/cloud-sdk:slim
    waitFor: [build]
    entrypoint: bash
    args: [-c, 'echo "$$HOME" "${_LOCAL}"']
images: ["${_REGISTRY}/app:$COMMIT_SHA"]
substitutions:
  _LOCAL: value
options:
  logging: CLOUD_LOGGING_ONLY
  diskSizeGb: 100
timeout: 600s
"""

CHECKOUT = "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1"
UPLOAD = "actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f"


def test_a_good_cloud_build_config_passes() -> None:
    assert check_build(yaml.safe_load(A_GOOD_CLOUD_BUILD), {"_REGISTRY"}) == []


def test_a_broken_cloud_build_config_is_reported_field_by_field() -> None:
    problems = check_build(yaml.safe_load(BROKEN_CLOUD_BUILD), {"_APP"})
    expected = [
        "steps[0].entrypointt: unknown field of BuildStep (did you mean `entrypoint`?)",
        "steps[0].args: must be a list, got a string ('-c')",
        "steps[0].wait_for: unknown field of BuildStep (the API calls it `waitFor`)",
        "options.logging: 'EVERYWHERE' is not one of LOGGING_UNSPECIFIED, LEGACY, "
        "GCS_ONLY, CLOUD_LOGGING_ONLY, NONE",
        "options.machineType: 'N1_HIGHCPU_8' is deprecated",
        "timeout: must be a duration string such as '600s', got an integer (1200)",
        "status: output-only field of Build, set by Cloud Build",
        "source: a config file cannot set it (the trigger provides it)",
        "steps[1].env: 'PROJECT' is not KEY=VALUE",
        "steps[1].id: 'deploy' is used by an earlier step",
        "substitutions.lowercase: a user-defined substitution must match ^_[A-Z0-9_]+$",
        "steps[1].script: $HOME is not a substitution (Cloud Build would make it "
        "empty): write $$HOME for the shell",
        "steps[1].script: substitution _NOWHERE is defined nowhere",
        "steps[1].script: unescaped `$` in 'o $HOME ${_NOWHERE} $(date) $$ok ${_APP}': "
        "write `$$` for the shell",
    ]
    assert problems == expected


def test_a_step_waits_only_for_earlier_steps() -> None:
    build = {
        "steps": [{"name": "a", "waitFor": ["later"]}, {"name": "b", "id": "later"}]
    }
    assert check_build(build) == [
        "steps[0].waitFor: 'later' is the id of no earlier step"
    ]


def test_a_config_without_steps_is_refused() -> None:
    assert check_build({"images": ["x"]}) == [
        "steps: a config must list at least one step"
    ]


def test_cloud_build_scripts_reach_shellcheck_as_the_shell_sees_them() -> None:
    step = {"entrypoint": "bash", "args": ["-c", "cd $$HOME\necho ${_APP}"]}
    script = cloud_build_script(step)
    assert script == "cd $HOME\necho SUBSTITUTED_APP"
    assert "SC2164" in shellcheck(script)  # `cd` without `|| exit`
    assert cloud_build_script({"args": ["build", "."]}) is None


def write_workflow(directory: Path, steps: list[dict[str, object]]) -> Path:
    workflow = {
        "name": "fixture",
        "on": {"push": None},
        "permissions": {"contents": "read"},
        "jobs": {"job": {"runs-on": "ubuntu-latest", "steps": steps}},
    }
    path = directory / "fixture.yaml"
    path.write_text(yaml.safe_dump(workflow, sort_keys=False), encoding="utf-8")
    return path


def test_actionlint_runs_shellcheck_on_run_scripts(tmp_path: Path) -> None:
    path = write_workflow(tmp_path, [{"run": 'files="$(ls)"\necho $files'}])
    findings = actionlint([path])
    assert "shellcheck reported issue in this script: SC2086" in findings


def test_an_unknown_or_missing_action_input_is_reported() -> None:
    workflow = {
        "jobs": {
            "job": {
                "steps": [
                    {"uses": CHECKOUT, "with": {"persist-credential": False}},
                    {"name": "Keep it", "uses": UPLOAD, "with": {"name": "report"}},
                    {"uses": "./local-action"},
                ]
            }
        }
    }
    problems = check_action_inputs(workflow, "fixture.yaml")
    assert len(problems) == 2
    assert problems[0].startswith(
        f"fixture.yaml: job job, {CHECKOUT}: `persist-credential` is not an input "
        "of actions/checkout v7.0.1 (it has: "
    )
    assert problems[1] == (
        "fixture.yaml: job job, Keep it: required input `path` is missing"
    )


def test_an_action_pinned_to_an_unrecorded_commit_is_reported() -> None:
    workflow = {"jobs": {"job": {"steps": [{"uses": f"{CHECKOUT[:-1]}0"}]}}}
    (problem,) = check_action_inputs(workflow, "fixture.yaml")
    assert "is not in actions.json: record the inputs" in problem


def test_every_recorded_action_is_a_pin_with_its_inputs() -> None:
    for key, action in recorded_actions().items():
        name, sha = key.split("@")
        assert name.count("/") == 1
        assert len(sha) == 40, key
        assert action["tag"].startswith("v")
        assert set(action["required"]) <= set(action["inputs"]), key

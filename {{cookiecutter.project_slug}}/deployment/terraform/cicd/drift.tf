# The daily drift job (`make drift`): it reads prod's recent per-run records from
# BigQuery and embeds their inputs with Vertex AI, both in the prod project, then
# compares them with the eval set's.
{%- if cookiecutter.cicd_runner == "google_cloud_build" %}
# It runs as its own service account, which can do nothing else; Cloud Scheduler
# starts it and its failures alert (drift_schedule.tf).
{%- else %}
# It runs as the CI service account (.github/workflows/drift.yaml), the identity
# GitHub Actions gets through Workload Identity Federation.
{%- endif %}
#
# Reading the records is granted on the prod dataset alone, by the prod root
# (telemetry_readers): the dataset does not exist before prod is applied.

locals {
  # The prod environment's dataset: modules/environment/logging.tf names it the
  # same way.
  prod_telemetry_dataset = "${replace(local.app, "-", "_")}_telemetry"

  # Its log sink writes each log to a table named after the log id, with "/" and
  # "." replaced by "_".
{%- if cookiecutter.deployment_target == "cloud_run" %}
  # Cloud Run writes the agent's stdout to the log run.googleapis.com/stdout.
{%- else %}
  # Agent Engine writes the agent's stdout to the log reasoning_engine_stdout (its
  # logging guide); we assume the full log id is
  # aiplatform.googleapis.com/reasoning_engine_stdout, like the resource type. If
  # a `run finished` line in Logs Explorer shows another logName, change this. The
  # sink creates the table with the first line it routes.
{%- endif %}
  drift_log_table      = "{% if cookiecutter.deployment_target == "cloud_run" %}run_googleapis_com_stdout{% else %}aiplatform_googleapis_com_reasoning_engine_stdout{% endif %}"
  drift_bigquery_table = "${var.prod_project_id}.${local.prod_telemetry_dataset}.${local.drift_log_table}"
{%- if cookiecutter.cicd_runner == "google_cloud_build" %}

  # 6 to 30 characters; the prod root computes the same email.
  drift_service_account_id = trimsuffix("drift-${substr(local.app, 0, 24)}", "-")
  drift_member             = "serviceAccount:${google_service_account.drift.email}"
{%- else %}

  drift_member = "serviceAccount:${google_service_account.ci.email}"
{%- endif %}
}
{%- if cookiecutter.cicd_runner == "google_cloud_build" %}

resource "google_service_account" "drift" {
  project      = var.cicd_project_id
  account_id   = local.drift_service_account_id
  display_name = "${local.app} drift job"
  description  = "Runs the daily drift job: reads prod's per-run records and calls Vertex AI embeddings; nothing else."

  lifecycle {
    precondition {
      condition     = can(regex("^[a-z][-a-z0-9]{4,28}[a-z0-9]$", local.drift_service_account_id))
      error_message = "The service account id \"${local.drift_service_account_id}\" must be 6 to 30 lower-case letters, digits or hyphens: choose another project slug."
    }
  }

  depends_on = [google_project_service.enabled]
}

# Builds that run as a user-managed service account write their logs with it.
resource "google_project_iam_member" "drift_writes_build_logs" {
  project = var.cicd_project_id
  role    = "roles/logging.logWriter"
  member  = local.drift_member
}
{%- endif %}

# The queries run as jobs in the prod project, next to the data.
resource "google_project_iam_member" "drift_runs_queries_in_prod" {
  project = var.prod_project_id
  role    = "roles/bigquery.jobUser"
  member  = local.drift_member
}
{%- if cookiecutter.cicd_runner == "google_cloud_build" or cookiecutter.deployment_target == "cloud_run" %}

# Embeddings of the inputs (DRIFT_EMBEDDINGS=vertex), in the prod project.
resource "google_project_iam_member" "drift_embeds_in_prod" {
  project = var.prod_project_id
  role    = "roles/aiplatform.user"
  member  = local.drift_member
}
{%- else %}

# Embeddings of the inputs (DRIFT_EMBEDDINGS=vertex) call Vertex AI in prod, which
# the CI service account already may: ci_deploys_to_prod in main.tf.
{%- endif %}

# The daily production evaluation (`make eval-production`, docs/evaluation.md): it
# scores prod's runs of the last day, captured in prod's capture dataset
# (modules/environment/capture.tf; {% if cookiecutter.deployment_target == "cloud_run" %}kept with the prod root's capture_runs{% else %}kept once this is on: the prod pipeline passes
# --capture-table to the engine's deployment{% endif %}), appends the scores to the
# scores table next to them, and fails below evals/production_thresholds.json.
# It runs as the drift job's identity (drift.tf), which prod lets read the
# captured runs and write the scores (capture_readers), run queries, and call
# Vertex AI for the judge. Off until evaluate_production is true: without captured
# runs it would fail every day.
{%- if cookiecutter.cicd_runner == "google_cloud_build" %}
# Cloud Scheduler starts it like the drift job; a failed build opens an alert.
{%- else %}
# The workflow .github/workflows/eval_production.yaml runs it (repository variables
# name the tables and say whether it is on). When it fails, its last step writes an
# ERROR entry to the log eval-production of this project, which opens an alert.
{%- endif %}

locals {
  # Named as the prod environment names them (modules/environment/capture.tf).
  prod_capture_dataset    = "${var.prod_project_id}.${replace(local.app, "-", "_")}_capture"
  production_runs_table   = "${local.prod_capture_dataset}.runs"
  production_scores_table = "${local.prod_capture_dataset}.production_scores"

  # What the alert tells whoever it wakes.
  production_eval_next_steps = "Exit status 1: a score of prod's runs of the last day fell below evals/production_thresholds.json; the scores are in `${local.production_scores_table}`, the runs in `${local.production_runs_table}`. Run `make eval-harvest PRODUCTION_BIGQUERY_TABLE=${local.production_runs_table}` to turn the bad runs into eval cases. 2: no captured runs (capture off in prod, or no traffic) or a bad setting."
}
{%- if cookiecutter.cicd_runner == "google_cloud_build" %}

resource "google_cloudbuild_trigger" "production_eval" {
  count = var.evaluate_production ? 1 : 0

  project         = var.cicd_project_id
  location        = var.region
  name            = "eval-production"
  description     = "Score prod's captured runs of the last day (make eval-production); fails below the thresholds. Started daily by Cloud Scheduler."
  service_account = google_service_account.drift.id
  substitutions = merge(local.substitutions, {
    _PRODUCTION_BIGQUERY_TABLE = local.production_runs_table
    _SCORES_BIGQUERY_TABLE     = local.production_scores_table
  })

  source_to_build {
    repository = google_cloudbuildv2_repository.app.id
    ref        = "refs/heads/${var.main_branch}"
    repo_type  = "GITHUB"
  }

  git_file_source {
    path       = ".cloudbuild/eval_production.yaml"
    repository = google_cloudbuildv2_repository.app.id
    revision   = "refs/heads/${var.main_branch}"
    repo_type  = "GITHUB"
  }
}

# Started by the drift schedule's identity, which may start builds and act as the
# drift service account, nothing else (drift_schedule.tf).
resource "google_cloud_scheduler_job" "production_eval" {
  count = var.evaluate_production ? 1 : 0

  project          = var.cicd_project_id
  region           = var.region
  name             = "${local.app}-eval-production"
  description      = "Starts the Cloud Build trigger eval-production."
  schedule         = var.production_eval_schedule
  time_zone        = var.drift_time_zone
  attempt_deadline = "60s"

  retry_config {
    retry_count          = 3
    min_backoff_duration = "60s"
  }

  http_target {
    http_method = "POST"
    uri         = "https://cloudbuild.googleapis.com/v1/projects/${var.cicd_project_id}/locations/${var.region}/triggers/${google_cloudbuild_trigger.production_eval[0].trigger_id}:run"
    headers = {
      "Content-Type" = "application/json"
    }
    body = base64encode(jsonencode({
      projectId = var.cicd_project_id
      triggerId = google_cloudbuild_trigger.production_eval[0].trigger_id
    }))

    oauth_token {
      service_account_email = google_service_account.drift_scheduler.email
      scope                 = "https://www.googleapis.com/auth/cloud-platform"
    }
  }

  depends_on = [
    google_project_service.enabled,
    google_project_iam_member.drift_scheduler_starts_builds,
    google_service_account_iam_member.drift_scheduler_acts_as_drift,
  ]
}

# A failed build ends its log with "ERROR" (or "TIMEOUT"); see drift_schedule.tf.
resource "google_logging_metric" "production_eval_failures" {
  count = var.evaluate_production ? 1 : 0

  project     = var.cicd_project_id
  name        = "${local.app}/eval-production-build-failures"
  description = "Failed builds of the Cloud Build trigger eval-production: scores below the thresholds, no captured runs, or an error."
  filter = join(" AND ", [
    "resource.type = \"build\"",
    "resource.labels.build_trigger_id = \"${google_cloudbuild_trigger.production_eval[0].trigger_id}\"",
    "(textPayload = \"ERROR\" OR textPayload = \"TIMEOUT\")",
  ])

  metric_descriptor {
    display_name = "${local.app}: failed production evaluations"
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
  }

  depends_on = [google_project_service.enabled]
}

resource "google_monitoring_alert_policy" "production_scores_dropped" {
  count = var.evaluate_production ? 1 : 0

  project               = var.cicd_project_id
  display_name          = "${local.app}: production scores dropped"
  combiner              = "OR"
  severity              = "WARNING"
  notification_channels = local.cicd_notification_channels
  user_labels           = local.labels

  conditions {
    display_name = "A build of the eval-production trigger failed"

    condition_threshold {
      filter                  = "resource.type = \"build\" AND metric.type = \"logging.googleapis.com/user/${google_logging_metric.production_eval_failures[0].name}\""
      comparison              = "COMPARISON_GT"
      threshold_value         = 0
      duration                = "0s"
      evaluation_missing_data = "EVALUATION_MISSING_DATA_INACTIVE"

      aggregations {
        alignment_period     = "600s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
      }
    }
  }

  alert_strategy {
    auto_close = "86400s"
  }

  documentation {
    mime_type = "text/markdown"
    content   = "The daily production evaluation of ${local.app} failed. Its log (Cloud Build, trigger `eval-production`, region ${var.region}, project ${var.cicd_project_id}) ends with the scores and the thresholds missed. ${local.production_eval_next_steps}"
  }

  depends_on = [google_project_service.enabled]
}
{%- else %}

# The workflow writes its failure with the CI service account's credentials.
resource "google_project_iam_member" "ci_writes_production_eval_log" {
  count = var.evaluate_production ? 1 : 0

  project = var.cicd_project_id
  role    = "roles/logging.logWriter"
  member  = "serviceAccount:${google_service_account.ci.email}"
}

resource "google_monitoring_alert_policy" "production_scores_dropped" {
  count = var.evaluate_production ? 1 : 0

  project               = var.cicd_project_id
  display_name          = "${local.app}: production scores dropped"
  combiner              = "OR"
  severity              = "WARNING"
  notification_channels = local.cicd_notification_channels
  user_labels           = local.labels

  conditions {
    display_name = "The eval-production workflow reported a failure"

    condition_matched_log {
      filter = "logName = \"projects/${var.cicd_project_id}/logs/eval-production\" AND severity >= ERROR"
    }
  }

  alert_strategy {
    auto_close = "86400s"
    notification_rate_limit {
      period = "3600s"
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "The daily production evaluation of ${local.app} failed: the log entry links the GitHub Actions run (workflow eval_production.yaml), whose log ends with the scores and the thresholds missed. ${local.production_eval_next_steps}"
  }

  depends_on = [google_project_service.enabled]
}
{%- endif %}

# Production runs kept for evaluation (CAPTURE_RUNS=bigquery; docs/evaluation.md,
# "From production back to the eval set"): what users asked and what the agent
# answered, so they live apart from the logs and the telemetry, in a dataset of
# their own that only the identities in capture_readers may read. Partitions expire
# after capture_retention_days. The app streams rows in only when asked to ({% if cookiecutter.deployment_target == "cloud_run" %}the
# capture_runs variable{% else %}deploy_agent_engine.py --capture-table, which the prod pipeline passes
# once the cicd root's evaluate_production is on{% endif %}); the tables exist either
# way (empty, they cost nothing).

locals {
  capture_dataset_id = "${replace(local.app, "-", "_")}_capture"
  capture_expiration = var.capture_retention_days * 24 * 60 * 60 * 1000
  # PROJECT.DATASET.TABLE, as CAPTURE_BIGQUERY_TABLE and make eval-production take it.
  capture_table = "${var.project_id}.${google_bigquery_dataset.capture.dataset_id}.${google_bigquery_table.captured_runs.table_id}"
  scores_table  = "${var.project_id}.${google_bigquery_dataset.capture.dataset_id}.${google_bigquery_table.production_scores.table_id}"
}

resource "google_bigquery_dataset" "capture" {
  # checkov:skip=CKV_GCP_81: Encrypted at rest with Google-managed keys; a customer-managed key needs a Cloud KMS key ring and rotation policy that this template does not create. Set default_encryption_configuration if your organisation requires CMEK.
  project                         = var.project_id
  dataset_id                      = local.capture_dataset_id
  location                        = var.region
  description                     = "Captured runs of the ${local.app} agent (${var.environment}): users' messages and the agent's answers, for production evaluation. Restricted; kept ${var.capture_retention_days} days."
  labels                          = local.labels
  default_partition_expiration_ms = local.capture_expiration
  delete_contents_on_destroy      = !var.deletion_protection

  depends_on = [google_project_service.enabled]
}

# One row per run or feedback: the columns a query filters on, the record as JSON.
resource "google_bigquery_table" "captured_runs" {
  # checkov:skip=CKV_GCP_80: Google-managed encryption, as for the dataset (CKV_GCP_81).
  # checkov:skip=CKV_GCP_121: Deletion protection follows var.deletion_protection: on in prod, off in the sandboxes that are torn down.
  project             = var.project_id
  dataset_id          = google_bigquery_dataset.capture.dataset_id
  table_id            = "runs"
  description         = "Each finished run and each feedback record (kind), from the agent (observability/capture.py)."
  labels              = local.labels
  deletion_protection = var.deletion_protection

  time_partitioning {
    type          = "DAY"
    field         = "captured_at"
    expiration_ms = local.capture_expiration
  }

  schema = jsonencode([
    { name = "captured_at", type = "TIMESTAMP", mode = "REQUIRED", description = "When the run ended, or the feedback came." },
    { name = "kind", type = "STRING", mode = "REQUIRED", description = "run or feedback." },
    { name = "run_id", type = "STRING", mode = "NULLABLE", description = "The run (rated, for feedback)." },
    { name = "thread_id", type = "STRING", mode = "NULLABLE", description = "The run's conversation." },
    { name = "record", type = "JSON", mode = "REQUIRED", description = "The whole record: input, answer, tool calls, lineage, guardrail, feedback." },
  ])
}

# One row per metric per evaluation (make eval-production --scores-table): no
# user content, so kept as long as the telemetry.
resource "google_bigquery_table" "production_scores" {
  # checkov:skip=CKV_GCP_80: Google-managed encryption, as for the dataset (CKV_GCP_81).
  # checkov:skip=CKV_GCP_121: Deletion protection follows var.deletion_protection, as for the runs table.
  project             = var.project_id
  dataset_id          = google_bigquery_dataset.capture.dataset_id
  table_id            = "production_scores"
  description         = "Scores of the daily production evaluation, one row per metric."
  labels              = local.labels
  deletion_protection = var.deletion_protection

  time_partitioning {
    type          = "DAY"
    field         = "evaluated_at"
    expiration_ms = var.telemetry_retention_days * 24 * 60 * 60 * 1000
  }

  schema = jsonencode([
    { name = "evaluated_at", type = "TIMESTAMP", mode = "REQUIRED", description = "When the evaluation ran." },
    { name = "metric", type = "STRING", mode = "REQUIRED", description = "The metric, as evals/production_thresholds.json names it." },
    { name = "value", type = "FLOAT64", mode = "NULLABLE", description = "Its value; empty when nothing applied." },
    { name = "minimum", type = "FLOAT64", mode = "NULLABLE", description = "Its min threshold, if any." },
    { name = "maximum", type = "FLOAT64", mode = "NULLABLE", description = "Its max threshold, if any." },
    { name = "passed", type = "BOOL", mode = "REQUIRED", description = "Whether it met its threshold." },
    { name = "runs_scored", type = "INT64", mode = "REQUIRED", description = "How many runs were scored." },
    { name = "source", type = "STRING", mode = "REQUIRED", description = "Where the runs came from." },
    { name = "prompt_versions", type = "STRING", mode = "REPEATED", description = "The prompt versions of the runs scored." },
  ])
}

# The agent streams rows into the runs table, and nothing else of the dataset.
resource "google_bigquery_table_iam_member" "app_captures_runs" {
  project    = var.project_id
  dataset_id = google_bigquery_dataset.capture.dataset_id
  table_id   = google_bigquery_table.captured_runs.table_id
  role       = "roles/bigquery.dataEditor"
  member     = "serviceAccount:${google_service_account.app.email}"
}

# The production evaluation reads the runs and appends the scores; running its
# queries is granted in the project it runs them in.
resource "google_bigquery_dataset_iam_member" "capture_readers" {
  for_each = toset(var.capture_readers)

  project    = var.project_id
  dataset_id = google_bigquery_dataset.capture.dataset_id
  role       = "roles/bigquery.dataViewer"
  member     = each.value
}

resource "google_bigquery_table_iam_member" "capture_readers_write_scores" {
  for_each = toset(var.capture_readers)

  project    = var.project_id
  dataset_id = google_bigquery_dataset.capture.dataset_id
  table_id   = google_bigquery_table.production_scores.table_id
  role       = "roles/bigquery.dataEditor"
  member     = each.value
}

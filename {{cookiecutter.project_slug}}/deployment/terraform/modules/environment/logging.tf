# Where the agent's logs go. Everything the service writes is kept in its own log
# bucket (longer retention than _Default, Log Analytics for SQL over logs); the
# structured records (feedback, one line per run) also reach BigQuery, where they
# can be joined and charted.

locals {
{%- if cookiecutter.deployment_target == "cloud_run" %}
  app_logs_filter = "resource.type = \"cloud_run_revision\" AND resource.labels.service_name = \"${local.app}\""
{%- else %}
  app_logs_filter = "resource.type = \"aiplatform.googleapis.com/ReasoningEngine\""
{%- endif %}

  # JSON log lines carry the Python logger's name in jsonPayload.logger.
  records_filter = format(
    "%s AND (%s)",
    local.app_logs_filter,
    join(" OR ", [for logger in var.bigquery_loggers : "jsonPayload.logger = \"${logger}\""]),
  )
}

resource "google_logging_project_bucket_config" "app" {
  project          = var.project_id
  location         = var.region
  bucket_id        = "${local.app}-logs"
  description      = "Logs of the ${local.app} agent (${var.environment})."
  retention_days   = var.log_retention_days
  enable_analytics = true

  depends_on = [google_project_service.enabled]
}

resource "google_logging_project_sink" "app_to_log_bucket" {
  project                = var.project_id
  name                   = "${local.app}-logs"
  description            = "Every log line of the ${local.app} agent, to its log bucket."
  destination            = "logging.googleapis.com/${google_logging_project_bucket_config.app.id}"
  filter                 = local.app_logs_filter
  unique_writer_identity = true
}

resource "google_bigquery_dataset" "telemetry" {
  # checkov:skip=CKV_GCP_81: Encrypted at rest with Google-managed keys; a customer-managed key needs a Cloud KMS key ring and rotation policy that this template does not create. Set default_encryption_configuration if your organisation requires CMEK.
  project     = var.project_id
  dataset_id  = "${replace(local.app, "-", "_")}_telemetry"
  location    = var.region
  description = "Structured records of the ${local.app} agent (${var.environment}): feedback and one line per run, routed from Cloud Logging."
  labels      = local.labels
  # Tables are partitioned by day; old partitions expire.
  default_partition_expiration_ms = var.telemetry_retention_days * 24 * 60 * 60 * 1000
  delete_contents_on_destroy      = !var.deletion_protection

  depends_on = [google_project_service.enabled]
}

resource "google_logging_project_sink" "records_to_bigquery" {
  project                = var.project_id
  name                   = "${local.app}-records"
  description            = "Feedback and per-run records of the ${local.app} agent, to BigQuery."
  destination            = "bigquery.googleapis.com/projects/${var.project_id}/datasets/${google_bigquery_dataset.telemetry.dataset_id}"
  filter                 = local.records_filter
  unique_writer_identity = true

  bigquery_options {
    use_partitioned_tables = true
  }
}

# The sink's own identity creates the tables and streams rows into this dataset only.
resource "google_bigquery_dataset_iam_member" "sink_writes_records" {
  project    = var.project_id
  dataset_id = google_bigquery_dataset.telemetry.dataset_id
  role       = "roles/bigquery.dataEditor"
  member     = google_logging_project_sink.records_to_bigquery.writer_identity
}

# Who else reads the records, on this dataset only: the drift job reads the per-run
# lines of prod (deployment/terraform/cicd/drift.tf). Running queries is granted in
# the project the job runs them in.
resource "google_bigquery_dataset_iam_member" "telemetry_readers" {
  for_each = toset(var.telemetry_readers)

  project    = var.project_id
  dataset_id = google_bigquery_dataset.telemetry.dataset_id
  role       = "roles/bigquery.dataViewer"
  member     = each.value
}

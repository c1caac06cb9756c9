output "app_service_account_email" {
  description = "Service account the agent runs as."
  value       = google_service_account.app.email
}

output "capture_table" {
  description = "BigQuery table of the captured runs (CAPTURE_BIGQUERY_TABLE; make eval-production PRODUCTION_BIGQUERY_TABLE=)."
  value       = local.capture_table
}

output "production_scores_table" {
  description = "BigQuery table the production evaluation appends its scores to (SCORES_BIGQUERY_TABLE)."
  value       = local.scores_table
}
{%- if cookiecutter.deployment_target == "cloud_run" %}

output "service_name" {
  description = "Name of the Cloud Run service."
  value       = google_cloud_run_v2_service.app.name
}

output "service_url" {
  description = "URL of the Cloud Run service (requests need an ID token)."
  value       = google_cloud_run_v2_service.app.uri
}
{%- else %}

output "agent_engine_bucket" {
  description = "Staging bucket for deployment/deploy_agent_engine.py (--staging-bucket)."
  value       = "gs://${google_storage_bucket.agent_engine_staging.name}"
}
{%- endif %}
{%- if cookiecutter.session_store == "cloud_sql" %}

output "database_url_secret" {
  description = "Secret Manager secret holding DATABASE_URL."
  value       = google_secret_manager_secret.database_url.secret_id
}

output "sql_instance_connection_name" {
  description = "Connection name of the Cloud SQL instance (PROJECT:REGION:INSTANCE)."
  value       = google_sql_database_instance.app.connection_name
}
{%- endif %}
{%- if cookiecutter.agent == "rag" %}

output "knowledge_bucket" {
  description = "Bucket of the knowledge base's documents; the ingestion job reads it."
  value       = google_storage_bucket.knowledge.name
}

output "ingest_job" {
  description = "Cloud Run job that ingests the bucket's documents (gcloud run jobs execute)."
  value       = google_cloud_run_v2_job.ingest.name
}
{%- endif %}

output "log_bucket" {
  description = "Log bucket with every log line of the agent."
  value       = google_logging_project_bucket_config.app.id
}

output "bigquery_dataset" {
  description = "BigQuery dataset with the feedback and per-run records."
  value       = "${var.project_id}.${google_bigquery_dataset.telemetry.dataset_id}"
}

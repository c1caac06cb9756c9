{% if cookiecutter.deployment_target == "cloud_run" -%}
output "service_url" {
  description = "URL of the Cloud Run service; requests need an ID token (gcloud auth print-identity-token)."
  value       = module.environment.service_url
}

output "service_name" {
  description = "Name of the Cloud Run service."
  value       = module.environment.service_name
}
{%- else -%}
output "agent_engine_bucket" {
  description = "Staging bucket for deployment/deploy_agent_engine.py (--staging-bucket)."
  value       = module.environment.agent_engine_bucket
}
{%- endif %}

output "app_service_account_email" {
  description = "Service account the agent runs as."
  value       = module.environment.app_service_account_email
}
{%- if cookiecutter.session_store == "cloud_sql" %}

output "database_url_secret" {
  description = "Secret Manager secret holding DATABASE_URL."
  value       = module.environment.database_url_secret
}

output "sql_instance_connection_name" {
  description = "Cloud SQL instance, for `cloud-sql-proxy` when you need a psql session."
  value       = module.environment.sql_instance_connection_name
}
{%- endif %}
{%- if cookiecutter.agent == "rag" %}

output "knowledge_bucket" {
  description = "Bucket of the knowledge base's documents: the pipelines sync knowledge/ into it; files uploaded there are ingested at the next scheduled run."
  value       = module.environment.knowledge_bucket
}

output "ingest_job" {
  description = "Cloud Run job that ingests the bucket's documents: gcloud run jobs execute JOB --region REGION --wait."
  value       = module.environment.ingest_job
}
{%- endif %}

output "bigquery_dataset" {
  description = "BigQuery dataset with the feedback and per-run records."
  value       = module.environment.bigquery_dataset
}

output "log_bucket" {
  description = "Log bucket with every log line of the agent."
  value       = module.environment.log_bucket
}

output "capture_table" {
  description = "BigQuery table of the captured runs (capture_runs): make eval-production PRODUCTION_BIGQUERY_TABLE=..."
  value       = module.environment.capture_table
}

output "production_scores_table" {
  description = "BigQuery table of the daily production evaluation's scores: SCORES_BIGQUERY_TABLE=..."
  value       = module.environment.production_scores_table
}

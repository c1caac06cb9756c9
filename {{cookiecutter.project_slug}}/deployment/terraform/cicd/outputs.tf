output "registry_uri" {
  description = "Artifact Registry repository the images are pushed to; an image is REGISTRY/{{ cookiecutter.project_slug }}:TAG."
  value       = google_artifact_registry_repository.app.registry_uri
}

output "ci_service_account_email" {
  description = "Service account the deploying pipelines run as."
  value       = google_service_account.ci.email
}

output "drift_bigquery_table" {
  description = "BigQuery table of prod's agent log lines that the drift job reads (DRIFT_BIGQUERY_TABLE); it exists once prod is applied and the agent has logged a line."
  value       = local.drift_bigquery_table
}
{%- if cookiecutter.cicd_runner == "google_cloud_build" %}

output "triggers" {
  description = "Cloud Build triggers, in pipeline order, then the daily drift job."
  value = [
    google_cloudbuild_trigger.pr_checks.name,
    google_cloudbuild_trigger.deploy_staging.name,
    google_cloudbuild_trigger.deploy_prod.name,
    google_cloudbuild_trigger.drift.name,
  ]
}

output "drift_service_account_email" {
  description = "Service account the drift job runs as: reads prod's records, calls Vertex AI embeddings in prod."
  value       = google_service_account.drift.email
}

output "pr_checks_service_account_email" {
  description = "Service account the pull request checks run as (no access to the environments)."
  value       = google_service_account.pr_checks.email
}
{%- else %}

output "workload_identity_provider" {
  description = "Workload Identity Federation provider the workflows authenticate with (GitHub variable GCP_WORKLOAD_IDENTITY_PROVIDER)."
  value       = google_iam_workload_identity_pool_provider.github.name
}

output "github_actions_variables" {
  description = "Repository variables set for the workflows."
  value       = sort(keys(local.github_variables))
}
{%- endif %}

# One environment of the agent (staging, prod or a developer's sandbox): the APIs
# it uses and the service account it runs as, with only the roles it needs.

locals {
  app     = "{{ cookiecutter.project_slug }}"
  package = "{{ cookiecutter.package_name }}"

  # A service account id has 6 to 30 characters; the pipelines cut it the same way.
  app_service_account_id = substr("${local.app}-app", 0, 30)

  labels = {
    app         = substr(local.app, 0, 63)
    environment = var.environment
    managed-by  = "terraform"
  }

  services = toset([
    "aiplatform.googleapis.com",
    "artifactregistry.googleapis.com",
    "bigquery.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "cloudtrace.googleapis.com",
    "iam.googleapis.com",
    "iamcredentials.googleapis.com",
    "logging.googleapis.com",
    "modelarmor.googleapis.com",
    "monitoring.googleapis.com",
    "secretmanager.googleapis.com",
    "serviceusage.googleapis.com",
    "storage.googleapis.com",
{%- if cookiecutter.deployment_target == "cloud_run" %}
    "run.googleapis.com",
{%- endif %}
{%- if cookiecutter.session_store == "cloud_sql" %}
    "sqladmin.googleapis.com",
{%- endif %}
{%- if cookiecutter.agent == "rag" %}
    # The daily knowledge ingestion (knowledge.tf).
    "cloudscheduler.googleapis.com",
{%- endif %}
  ])

  # What the running agent does: call Gemini, write logs, metrics and traces
{%- if cookiecutter.session_store == "cloud_sql" %}
  # and reach Cloud SQL. Reading the database-url secret is granted on that secret
  # alone (database.tf).
{%- else %}
  # (conversations stay on the instance: session_store is sqlite).
{%- endif %}
  app_roles = toset([
    "roles/aiplatform.user",
    "roles/cloudtrace.agent",
    "roles/logging.logWriter",
    # Screen text with Model Armor templates (guardrail.tf), not change them.
    "roles/modelarmor.user",
    "roles/monitoring.metricWriter",
{%- if cookiecutter.session_store == "cloud_sql" %}
    "roles/cloudsql.client",
{%- endif %}
  ])
}

resource "google_project_service" "enabled" {
  for_each = local.services

  project = var.project_id
  service = each.value
  # Other workloads in the project may use the same APIs.
  disable_on_destroy = false
}

resource "google_service_account" "app" {
  project      = var.project_id
  account_id   = local.app_service_account_id
  display_name = "${local.app} (${var.environment}) runtime"
  description  = "Identity the agent runs as; holds only the roles it needs."

  lifecycle {
    precondition {
      condition     = can(regex("^[a-z][-a-z0-9]{4,28}[a-z0-9]$", local.app_service_account_id))
      error_message = "The service account id \"${local.app_service_account_id}\" (the project slug + \"-app\", cut to 30 characters) must be 6 to 30 lower-case letters, digits or hyphens and must not end with a hyphen: choose another project slug."
    }
  }

  depends_on = [google_project_service.enabled]
}

resource "google_project_iam_member" "app" {
  for_each = local.app_roles

  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.app.email}"
}

# The pipelines deploy as the CI service account (cicd root), which must act as
# the app's identity to deploy a revision that runs as it.
resource "google_service_account_iam_member" "ci_acts_as_app" {
  count = var.ci_service_account_email == null ? 0 : 1

  service_account_id = google_service_account.app.name
  role               = "roles/iam.serviceAccountUser"
  member             = "serviceAccount:${var.ci_service_account_email}"
}

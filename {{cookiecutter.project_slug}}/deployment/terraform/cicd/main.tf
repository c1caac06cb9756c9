# The CI/CD project: the image registry and the identity the pipelines run as,
# with the roles it needs in staging and prod.
{%- if cookiecutter.cicd_runner == "google_cloud_build" %}
# The Cloud Build triggers are in cloud_build.tf; the daily drift job in drift.tf
# (its identity) and drift_schedule.tf (its trigger, schedule and alerts).
{%- else %}
# GitHub's access to it (Workload Identity Federation) is in github_actions.tf; the
# daily drift workflow's access to prod in drift.tf.
{%- endif %}

locals {
  app = "{{ cookiecutter.project_slug }}"
  # A service account id has 6 to 30 characters; the environment roots compute
  # the same email.
  ci_service_account_id = substr("${local.app}-ci", 0, 30)

  labels = {
    app        = substr(local.app, 0, 63)
    managed-by = "terraform"
  }

  services = toset([
    "artifactregistry.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "iam.googleapis.com",
    "iamcredentials.googleapis.com",
    "logging.googleapis.com",
    # Alerts on the daily jobs.
    "monitoring.googleapis.com",
    "serviceusage.googleapis.com",
{%- if cookiecutter.cicd_runner == "google_cloud_build" %}
    "cloudbuild.googleapis.com",
    "cloudscheduler.googleapis.com",
    "secretmanager.googleapis.com",
{%- else %}
    "sts.googleapis.com",
{%- endif %}
  ])
}

resource "google_project_service" "enabled" {
  for_each = local.services

  project            = var.cicd_project_id
  service            = each.value
  disable_on_destroy = false
}

resource "google_artifact_registry_repository" "app" {
  # checkov:skip=CKV_GCP_84: Images are encrypted at rest with Google-managed keys; a customer-managed key needs a Cloud KMS key ring and rotation policy that this template does not create. Set kms_key_name if your organisation requires CMEK.
  project       = var.cicd_project_id
  location      = var.region
  repository_id = local.app
  format        = "DOCKER"
  description   = "Container images of the ${local.app} agent, built once and promoted from staging to prod by digest."
  labels        = local.labels

  # Untagged images are left behind when a tag moves; the last versions stay
  # whatever their age, so a rollback target is always there.
  cleanup_policy_dry_run = false
  cleanup_policies {
    id     = "delete-old-untagged"
    action = "DELETE"
    condition {
      tag_state  = "UNTAGGED"
      older_than = "30d"
    }
  }
  cleanup_policies {
    id     = "keep-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = 20
    }
  }

  depends_on = [google_project_service.enabled]
}

# The identity every deploying pipeline runs as.
resource "google_service_account" "ci" {
  project      = var.cicd_project_id
  account_id   = local.ci_service_account_id
  display_name = "${local.app} CI/CD"
  description  = "Builds and pushes images, deploys to staging and prod."

  lifecycle {
    precondition {
      condition     = can(regex("^[a-z][-a-z0-9]{4,28}[a-z0-9]$", local.ci_service_account_id))
      error_message = "The service account id \"${local.ci_service_account_id}\" (the project slug + \"-ci\", cut to 30 characters) must be 6 to 30 lower-case letters, digits or hyphens and must not end with a hyphen: choose another project slug."
    }
  }

  depends_on = [google_project_service.enabled]
}

resource "google_artifact_registry_repository_iam_member" "ci_pushes_images" {
  project    = var.cicd_project_id
  location   = google_artifact_registry_repository.app.location
  repository = google_artifact_registry_repository.app.name
  role       = "roles/artifactregistry.writer"
  member     = "serviceAccount:${google_service_account.ci.email}"
}

# Staging: the eval with Gemini{% if cookiecutter.deployment_target == "agent_engine" %} and the Agent Engine deployment call{% else %} calls{% endif %} Vertex AI there.
resource "google_project_iam_member" "ci_uses_vertex_ai_in_staging" {
  project = var.staging_project_id
  role    = "roles/aiplatform.user"
  member  = "serviceAccount:${google_service_account.ci.email}"
}
{%- if cookiecutter.deployment_target == "cloud_run" %}

# No Cloud Run role on the staging and prod projects: the pipelines only update what
# Terraform created, so the environment roots grant roles/run.developer on the
# service{% if cookiecutter.agent == "rag" %} and on the ingestion job{% endif %} alone, with acting as the app's
# service account and invoking the service.
{%- else %}

# Creates and updates the agent on Agent Engine in prod. Acting as the app's service
# account and writing to the staging buckets are granted by the environment roots.
resource "google_project_iam_member" "ci_deploys_to_prod" {
  project = var.prod_project_id
  role    = "roles/aiplatform.user"
  member  = "serviceAccount:${google_service_account.ci.email}"
}
{%- endif %}

# Where the daily jobs' alerts go: alert_email and/or existing channels.
locals {
  cicd_notification_channels = concat(
    var.notification_channels,
    google_monitoring_notification_channel.email[*].name,
  )
}

resource "google_monitoring_notification_channel" "email" {
  count = var.alert_email == "" ? 0 : 1

  project      = var.cicd_project_id
  display_name = "${local.app} (cicd) alerts"
  type         = "email"
  labels = {
    email_address = var.alert_email
  }

  depends_on = [google_project_service.enabled]
}

# Prod: receives what staging has deployed and evaluated, after a manual approval
# in the pipeline. One warm instance, a regional database, deletion protection.

locals {
  app = "{{ cookiecutter.project_slug }}"
  # Created by the cicd root, which names it the same way.
  ci_service_account_email = "${substr("${local.app}-ci", 0, 30)}@${var.cicd_project_id}.iam.gserviceaccount.com"
{%- if cookiecutter.cicd_runner == "google_cloud_build" %}
  # The daily drift job's own identity (cicd root, drift.tf), named the same way.
  drift_service_account_email = "${trimsuffix("drift-${substr(local.app, 0, 24)}", "-")}@${var.cicd_project_id}.iam.gserviceaccount.com"
{%- else %}
  # The daily drift workflow runs as the CI service account (cicd root, drift.tf).
  drift_service_account_email = local.ci_service_account_email
{%- endif %}
}

module "environment" {
  source = "../modules/environment"

  project_id               = var.prod_project_id
  region                   = var.region
  environment              = "prod"
  ci_service_account_email = local.ci_service_account_email
  deletion_protection      = var.deletion_protection
{%- if cookiecutter.deployment_target == "cloud_run" %}

  image           = var.image
  cicd_project_id = var.cicd_project_id
  min_instances   = 1
  max_instances   = var.max_instances
  invoker_members = var.invoker_members

  auth_mode            = var.auth_mode
  auth_extra_audiences = var.auth_extra_audiences
  guardrail            = var.guardrail
  mcp_servers          = var.mcp_servers
{%- endif %}
{%- if cookiecutter.session_store == "cloud_sql" %}

  sql_tier              = "db-custom-2-7680"
  sql_availability_type = "REGIONAL"
  sql_retained_backups  = 30
{%- endif %}

  log_retention_days       = 365
  telemetry_retention_days = 730
  alert_email              = var.alert_email
  notification_channels    = var.notification_channels

  # The drift job reads prod's per-run records to compare them with the eval set;
  # they carry the user's message only with log_user_inputs.
  telemetry_readers = ["serviceAccount:${local.drift_service_account_email}"]
  log_user_inputs   = var.log_user_inputs

  # The production evaluation (the same identity as the drift job) reads the
  # captured runs and appends its scores; runs are kept only once asked for{% if cookiecutter.deployment_target == "cloud_run" %}
  # (capture_runs){% else %}
  # (the cicd root's evaluate_production: the prod pipeline then deploys the engine
  # with --capture-table){% endif %}.
{%- if cookiecutter.deployment_target == "cloud_run" %}
  capture_runs           = var.capture_runs
{%- endif %}
  capture_retention_days = var.capture_retention_days
  capture_readers        = ["serviceAccount:${local.drift_service_account_email}"]

  model_armor_injection_confidence = var.model_armor_injection_confidence
}

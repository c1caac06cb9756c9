# Staging: every merge to main is deployed and checked here before the same
# {% if cookiecutter.deployment_target == "cloud_run" %}image{% else %}commit{% endif %} is promoted to prod.

locals {
  app = "{{ cookiecutter.project_slug }}"
  # Created by the cicd root, which names it the same way.
  ci_service_account_email = "${substr("${local.app}-ci", 0, 30)}@${var.cicd_project_id}.iam.gserviceaccount.com"
}

module "environment" {
  source = "../modules/environment"

  project_id               = var.staging_project_id
  region                   = var.region
  environment              = "staging"
  ci_service_account_email = local.ci_service_account_email
  deletion_protection      = var.deletion_protection
{%- if cookiecutter.deployment_target == "cloud_run" %}

  image           = var.image
  cicd_project_id = var.cicd_project_id
  min_instances   = 0
  max_instances   = var.max_instances
  invoker_members = var.invoker_members

  auth_mode            = var.auth_mode
  auth_extra_audiences = var.auth_extra_audiences
  guardrail            = var.guardrail
  mcp_servers          = var.mcp_servers
{%- endif %}
{%- if cookiecutter.session_store == "cloud_sql" %}

  sql_tier              = "db-g1-small"
  sql_availability_type = "ZONAL"
  sql_retained_backups  = 7
{%- endif %}

  log_retention_days       = 30
  telemetry_retention_days = 90
  alert_email              = var.alert_email
  notification_channels    = var.notification_channels

  model_armor_injection_confidence = var.model_armor_injection_confidence
}

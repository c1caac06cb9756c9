# A developer's sandbox: the same resources as staging, sized down, scaled to
# zero and without deletion protection, so it can be torn down at any time. No
# pipeline deploys here; the developer does, with their own credentials.

module "environment" {
  source = "../modules/environment"

  project_id          = var.dev_project_id
  region              = var.region
  environment         = "dev"
  deletion_protection = var.deletion_protection
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

  sql_tier              = "db-f1-micro"
  sql_availability_type = "ZONAL"
  sql_retained_backups  = 1
{%- endif %}

  log_level                = "DEBUG"
  log_retention_days       = 7
  telemetry_retention_days = 30
  alert_email              = var.alert_email
  notification_channels    = var.notification_channels

  model_armor_injection_confidence = var.model_armor_injection_confidence
}

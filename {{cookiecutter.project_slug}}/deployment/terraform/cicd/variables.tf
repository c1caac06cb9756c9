variable "cicd_project_id" {
  description = "Google Cloud project of the pipelines: image registry, CI service account{% if cookiecutter.cicd_runner == "google_cloud_build" %}, Cloud Build triggers{% else %}, Workload Identity Federation{% endif %}."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.cicd_project_id))
    error_message = "cicd_project_id must be a Google Cloud project id: 6 to 30 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "staging_project_id" {
  description = "Google Cloud project of the staging environment, which the pipelines deploy to."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.staging_project_id))
    error_message = "staging_project_id must be a Google Cloud project id: 6 to 30 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "prod_project_id" {
  description = "Google Cloud project of the production environment, which the pipelines deploy to after an approval."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.prod_project_id))
    error_message = "prod_project_id must be a Google Cloud project id: 6 to 30 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "region" {
  description = "Region of the registry{% if cookiecutter.cicd_runner == "google_cloud_build" %} and the Cloud Build triggers{% endif %}, and of the environments."
  type        = string
  default     = "{{ cookiecutter.gcp_region }}"

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must be a Google Cloud region such as us-central1 or europe-west4."
  }
}

variable "github_owner" {
  description = "GitHub user or organisation that owns the repository."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$", var.github_owner))
    error_message = "github_owner must be a GitHub user or organisation name: letters, digits and hyphens, at most 39 characters."
  }
}

variable "github_repo" {
  description = "Name of the GitHub repository (without the owner)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,100}$", var.github_repo))
    error_message = "github_repo must be a repository name: letters, digits, '.', '_' and '-'."
  }
}

variable "main_branch" {
  description = "Branch that pull requests target and whose pushes deploy to staging; the only branch that may deploy."
  type        = string
  default     = "main"

  validation {
    condition     = can(regex("^[A-Za-z0-9._/-]+$", var.main_branch))
    error_message = "main_branch must be a branch name such as main."
  }
}

variable "drift_days" {
  description = "Days of prod inputs the daily drift job compares with the eval set (DRIFT_DAYS)."
  type        = number
  default     = 7

  validation {
    condition     = var.drift_days >= 1 && var.drift_days <= 365 && floor(var.drift_days) == var.drift_days
    error_message = "drift_days must be a whole number of days between 1 and 365."
  }
}

variable "evaluate_production" {
  description = "Score prod's captured runs every day (make eval-production) and alert when a score falls below its threshold. {% if cookiecutter.deployment_target == "cloud_run" %}Needs capture_runs = true in the prod root.{% else %}The prod pipeline then deploys Agent Engine with --capture-table, which keeps the runs.{% endif %}"
  type        = bool
  default     = false
}

variable "alert_email" {
  description = "E-mail address notified through a channel in the cicd project when {% if cookiecutter.cicd_runner == "google_cloud_build" %}the drift job or {% endif %}the production evaluation fails{% if cookiecutter.cicd_runner == "google_cloud_build" %} or cannot start{% endif %}; empty for none."
  type        = string
  default     = ""

  validation {
    condition     = var.alert_email == "" || can(regex("^[^@\\s]+@[^@\\s]+$", var.alert_email))
    error_message = "alert_email must be an e-mail address, or empty."
  }
}

variable "notification_channels" {
  description = "Existing Cloud Monitoring notification channels of the cicd project (projects/CICD_PROJECT/notificationChannels/ID) notified when {% if cookiecutter.cicd_runner == "google_cloud_build" %}the drift job or {% endif %}the production evaluation fails{% if cookiecutter.cicd_runner == "google_cloud_build" %} or cannot start{% endif %}."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for channel in var.notification_channels : can(regex("^projects/[^/]+/notificationChannels/[^/]+$", channel))])
    error_message = "notification_channels must hold channel names such as projects/PROJECT/notificationChannels/1234567890."
  }
}
{%- if cookiecutter.cicd_runner == "google_cloud_build" %}

variable "drift_schedule" {
  description = "When Cloud Scheduler starts the drift job, in cron format (minute hour day-of-month month day-of-week) and drift_time_zone. Default: every day at 06:00."
  type        = string
  default     = "0 6 * * *"

  validation {
    condition     = can(regex("^[0-9*/,-]+ [0-9*/,-]+ [0-9*/,-]+ [0-9A-Za-z*/,-]+ [0-9A-Za-z*/,-]+$", var.drift_schedule))
    error_message = "drift_schedule must be a cron expression of five fields separated by single spaces, such as \"0 6 * * *\" (every day at 06:00)."
  }
}

variable "drift_time_zone" {
  description = "Time zone of drift_schedule, from the tz database, e.g. Etc/UTC or Europe/Paris."
  type        = string
  default     = "Etc/UTC"

  validation {
    condition     = can(regex("^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$", var.drift_time_zone))
    error_message = "drift_time_zone must be a tz database name such as Etc/UTC or America/New_York."
  }
}

variable "production_eval_schedule" {
  description = "When Cloud Scheduler starts the production evaluation, in cron format and drift_time_zone. Default: every day at 07:00."
  type        = string
  default     = "0 7 * * *"

  validation {
    condition     = can(regex("^[0-9*/,-]+ [0-9*/,-]+ [0-9*/,-]+ [0-9A-Za-z*/,-]+ [0-9A-Za-z*/,-]+$", var.production_eval_schedule))
    error_message = "production_eval_schedule must be a cron expression of five fields separated by single spaces, such as \"0 7 * * *\" (every day at 07:00)."
  }
}

variable "github_app_installation_id" {
  description = "Installation id of the Google Cloud Build GitHub App on the owner (github.com/settings/installations/ID)."
  type        = number
}

variable "github_oauth_token_secret_version" {
  description = "Secret Manager secret version holding a GitHub token of the user who installed the app, e.g. projects/PROJECT/secrets/github-token/versions/latest."
  type        = string

  validation {
    condition     = can(regex("^projects/[^/]+/secrets/[^/]+/versions/[^/]+$", var.github_oauth_token_secret_version))
    error_message = "github_oauth_token_secret_version must look like projects/PROJECT/secrets/SECRET/versions/VERSION."
  }
}

variable "prod_approvers" {
  description = "Principals who may approve a prod deployment (roles/cloudbuild.builds.approver), e.g. [\"group:releasers@example.com\"]."
  type        = list(string)
  default     = []
}
{%- else %}

# The environment `production` waits for one of them (github_actions.tf); set at
# least one of the two lists.
variable "prod_reviewer_user_ids" {
  description = "Numeric ids of the GitHub users who may approve a prod deployment (`gh api users/NAME --jq .id`), e.g. [1234567]."
  type        = list(number)
  default     = []

  validation {
    condition     = length(var.prod_reviewer_user_ids) <= 6 && alltrue([for id in var.prod_reviewer_user_ids : id >= 1 && floor(id) == id])
    error_message = "prod_reviewer_user_ids must hold at most 6 numeric GitHub user ids (not logins): `gh api users/NAME --jq .id` prints one."
  }
}

variable "prod_reviewer_team_ids" {
  description = "Numeric ids of the GitHub teams whose members may approve a prod deployment (`gh api orgs/ORG/teams/SLUG --jq .id`)."
  type        = list(number)
  default     = []

  validation {
    condition     = length(var.prod_reviewer_team_ids) <= 6 && alltrue([for id in var.prod_reviewer_team_ids : id >= 1 && floor(id) == id])
    error_message = "prod_reviewer_team_ids must hold at most 6 numeric GitHub team ids (not slugs): `gh api orgs/ORG/teams/SLUG --jq .id` prints one."
  }
}
{%- endif %}

# Inputs of one environment. The roots (staging, prod, dev) validate what users
# type; the module checks what the roots pass.

variable "project_id" {
  description = "Google Cloud project of this environment."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a Google Cloud project id: 6 to 30 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "region" {
  description = "Region of every regional resource (and the Vertex AI location the agent calls)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must be a Google Cloud region such as us-central1 or europe-west4."
  }
}

variable "environment" {
  description = "Which environment this is: staging, prod or dev. Named in labels, alerts and descriptions."
  type        = string

  validation {
    condition     = contains(["staging", "prod", "dev"], var.environment)
    error_message = "environment must be staging, prod or dev."
  }
}

variable "ci_service_account_email" {
  description = "The CI service account (cicd root) that deploys here, or null (dev): it may act as the app's service account{% if cookiecutter.deployment_target == "cloud_run" %}, deploy revisions of the service and invoke it{% else %} and upload to the staging bucket{% endif %}{% if cookiecutter.agent == "rag" %}, sync the knowledge bucket, update and run the ingestion job and act as its account{% endif %}."
  type        = string
  default     = null
}

variable "model_name" {
  description = "Gemini model the agent uses (MODEL_NAME)."
  type        = string
  default     = "{{ cookiecutter.model_name }}"
}

variable "log_level" {
  description = "LOG_LEVEL of the agent: DEBUG, INFO, WARNING or ERROR."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR"], var.log_level)
    error_message = "log_level must be DEBUG, INFO, WARNING or ERROR."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the stateful resources{% if cookiecutter.deployment_target == "cloud_run" %} and the service{% endif %} (on in prod). When off, destroying also deletes their data."
  type        = bool
  default     = true
}
{%- if cookiecutter.deployment_target == "cloud_run" %}

variable "image" {
  description = "Container image of the first revision. Later revisions are rolled out by the pipelines (`gcloud run deploy`) and Terraform leaves them alone."
  type        = string

  validation {
    condition     = length(trimspace(var.image)) > 0
    error_message = "image must name a container image, e.g. the registry_uri output of the cicd root followed by /{{ cookiecutter.project_slug }}:TAG."
  }
}

variable "cicd_project_id" {
  description = "Project of the shared Artifact Registry repository (cicd root): this environment's Cloud Run may pull from it. Null to skip."
  type        = string
  default     = null
}

variable "min_instances" {
  description = "Instances kept warm. 0 scales to zero (cold starts); 1 or more in prod."
  type        = number
  default     = 0

  validation {
    condition     = var.min_instances >= 0
    error_message = "min_instances must be 0 or more."
  }
}

variable "max_instances" {
  description = "Upper bound on instances: caps cost and the load on the model quota{% if cookiecutter.session_store == "cloud_sql" %} and on database connections{% endif %}."
  type        = number
  default     = 10

  validation {
    condition     = var.max_instances >= 1
    error_message = "max_instances must be 1 or more."
  }
}

variable "invoker_members" {
  description = "Principals allowed to call the service (roles/run.invoker), e.g. [\"group:agent-users@example.com\"]. Public access is refused."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for member in var.invoker_members : !contains(["allUsers", "allAuthenticatedUsers"], member)])
    error_message = "invoker_members must not contain allUsers or allAuthenticatedUsers: the service is IAM-authenticated."
  }
}

variable "auth_mode" {
  description = "Whose threads (AUTH_MODE): `google` gives each caller's verified Google identity its own threads; `none` lets every caller holding roles/run.invoker read and continue every thread (only for one trusted backend that keeps its users apart itself)."
  type        = string
  default     = "google"

  validation {
    condition     = contains(["google", "none"], var.auth_mode)
    error_message = "auth_mode is `google` or `none` (`test` is for tests and refused on Cloud Run)."
  }
}

variable "auth_extra_audiences" {
  description = "Audiences an ID token may be minted for besides the service's deterministic URL: its hash-based run.app URL or a custom domain, if clients call it by that name."
  type        = list(string)
  default     = []
}
{%- endif %}
{%- if cookiecutter.session_store == "cloud_sql" %}

variable "sql_tier" {
  description = "Machine type of the Cloud SQL instance (Enterprise edition), e.g. db-g1-small or db-custom-2-7680."
  type        = string
  default     = "db-g1-small"
}

variable "sql_availability_type" {
  description = "ZONAL, or REGIONAL for a standby in a second zone (prod)."
  type        = string
  default     = "ZONAL"

  validation {
    condition     = contains(["ZONAL", "REGIONAL"], var.sql_availability_type)
    error_message = "sql_availability_type must be ZONAL or REGIONAL."
  }
}

variable "sql_retained_backups" {
  description = "Daily backups kept."
  type        = number
  default     = 7
}

variable "database_password_version" {
  description = "Bump to generate a new database password; it is written to the database user and to the database-url secret, never to state."
  type        = number
  default     = 1
}
{%- endif %}
{%- if cookiecutter.agent == "rag" %}

variable "ingest_schedule" {
  description = "When Cloud Scheduler runs the knowledge ingestion job, in cron format (minute hour day-of-month month day-of-week) and ingest_time_zone. The pipelines also run it after each deployment. Default: every day at 03:00."
  type        = string
  default     = "0 3 * * *"

  validation {
    condition     = can(regex("^[0-9*/,-]+ [0-9*/,-]+ [0-9*/,-]+ [0-9A-Za-z*/,-]+ [0-9A-Za-z*/,-]+$", var.ingest_schedule))
    error_message = "ingest_schedule must be a cron expression of five fields separated by single spaces, such as \"0 3 * * *\" (every day at 03:00)."
  }
}

variable "ingest_time_zone" {
  description = "Time zone of ingest_schedule, from the tz database, e.g. Etc/UTC or Europe/Paris."
  type        = string
  default     = "Etc/UTC"

  validation {
    condition     = can(regex("^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$", var.ingest_time_zone))
    error_message = "ingest_time_zone must be a tz database name such as Etc/UTC or America/New_York."
  }
}
{%- endif %}

variable "log_retention_days" {
  description = "Days the agent's log bucket keeps its logs."
  type        = number
  default     = 90

  validation {
    condition     = var.log_retention_days >= 1 && var.log_retention_days <= 3650
    error_message = "log_retention_days must be between 1 and 3650."
  }
}

variable "telemetry_retention_days" {
  description = "Days the BigQuery records (feedback, runs) are kept."
  type        = number
  default     = 365

  validation {
    condition     = var.telemetry_retention_days >= 1
    error_message = "telemetry_retention_days must be 1 or more."
  }
}

variable "bigquery_loggers" {
  description = "Python loggers whose JSON lines are routed to BigQuery (jsonPayload.logger)."
  type        = list(string)
  default = [
    "{{ cookiecutter.package_name }}.feedback",
    "{{ cookiecutter.package_name }}.metering",
  ]

  validation {
    condition     = length(var.bigquery_loggers) > 0
    error_message = "bigquery_loggers must name at least one logger."
  }
}

variable "telemetry_readers" {
  description = "Principals that may read the BigQuery records (roles/bigquery.dataViewer on this dataset only), e.g. [\"serviceAccount:drift@PROJECT.iam.gserviceaccount.com\"] for the drift job."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for member in var.telemetry_readers : can(regex("^(serviceAccount|user|group):[^@\\s]+@[^@\\s]+$", member))])
    error_message = "telemetry_readers must hold principals such as serviceAccount:NAME@PROJECT.iam.gserviceaccount.com or group:team@example.com."
  }
}
{%- if cookiecutter.deployment_target == "cloud_run" %}

variable "capture_runs" {
  description = "Keep each run (the user's message, the answer, tool calls) and its feedback in the capture dataset for production evaluation (CAPTURE_RUNS=bigquery). Turn on only where users agreed to their conversations being reviewed."
  type        = bool
  default     = false
}
{%- endif %}

variable "capture_retention_days" {
  description = "Days the captured runs are kept (the capture table's partitions expire after them)."
  type        = number
  default     = 30

  validation {
    condition     = var.capture_retention_days >= 1 && var.capture_retention_days <= 3650 && floor(var.capture_retention_days) == var.capture_retention_days
    error_message = "capture_retention_days must be a whole number of days between 1 and 3650."
  }
}

variable "capture_readers" {
  description = "Principals that may read the captured runs and append production scores (the production evaluation job), e.g. [\"serviceAccount:drift@PROJECT.iam.gserviceaccount.com\"]."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for member in var.capture_readers : can(regex("^(serviceAccount|user|group):[^@\\s]+@[^@\\s]+$", member))])
    error_message = "capture_readers must hold principals such as serviceAccount:NAME@PROJECT.iam.gserviceaccount.com or group:team@example.com."
  }
}

variable "error_rate_threshold" {
  description = "Share of requests answered with a server error (5xx) above which an alert opens, e.g. 0.05 for 5%."
  type        = number
  default     = 0.05
}

variable "latency_p95_threshold_ms" {
  description = "95th percentile request latency, in milliseconds, above which an alert opens. A streamed run counts for its whole duration."
  type        = number
  default     = 30000
}

variable "failed_runs_notification_period" {
  description = "Shortest time between two notifications of the failed-runs alert, e.g. 3600s."
  type        = string
  default     = "3600s"

  validation {
    condition     = can(regex("^[0-9]+s$", var.failed_runs_notification_period))
    error_message = "failed_runs_notification_period must be a duration in seconds, such as 3600s."
  }
}

variable "token_spike_threshold" {
  description = "Tokens per run (input + output, the 95th percentile of each model's runs over token_spike_window) above which the token-usage alert opens. Set it to about twice what the metric shows on a normal week."
  type        = number
  default     = 50000

  validation {
    condition     = var.token_spike_threshold >= 1 && floor(var.token_spike_threshold) == var.token_spike_threshold
    error_message = "token_spike_threshold must be a whole number of tokens, 1 or more."
  }
}

variable "token_spike_window" {
  description = "Window over which the token-usage alert takes the 95th percentile of tokens per run, in seconds, e.g. 900s: shorter reacts faster, longer ignores a few long runs."
  type        = string
  default     = "900s"

  validation {
    condition     = can(regex("^[0-9]+s$", var.token_spike_window)) && try(tonumber(trimsuffix(var.token_spike_window, "s")) % 60 == 0 && tonumber(trimsuffix(var.token_spike_window, "s")) >= 60 && tonumber(trimsuffix(var.token_spike_window, "s")) <= 86400, false)
    error_message = "token_spike_window must be a whole number of minutes written in seconds, between 60s and 86400s (one day), such as 900s."
  }
}

variable "notification_channels" {
  description = "Existing Cloud Monitoring notification channels (projects/PROJECT/notificationChannels/ID) the alerts notify."
  type        = list(string)
  default     = []
}

variable "alert_email" {
  description = "E-mail address the alerts notify, through a channel this module creates. Empty for none."
  type        = string
  default     = ""
}

variable "log_user_inputs" {
  description = "Put each run's user message in its `run finished` log line (and so in BigQuery), which the daily drift job compares with the eval set. Off by default: the messages are your users' data; turn it on only where your privacy rules allow keeping them (without it the drift job has nothing to compare)."
  type        = bool
  default     = false
}

variable "model_armor_location" {
  description = "Where the Model Armor template lives (a region or multi-region Model Armor serves); empty: the environment's region."
  type        = string
  default     = ""
}

variable "model_armor_injection_confidence" {
  description = "How sure Model Armor must be to call a text prompt injection or a jailbreak: LOW_AND_ABOVE catches most and refuses more ordinary text, HIGH the reverse."
  type        = string
  default     = "MEDIUM_AND_ABOVE"

  validation {
    condition     = contains(["LOW_AND_ABOVE", "MEDIUM_AND_ABOVE", "HIGH"], var.model_armor_injection_confidence)
    error_message = "model_armor_injection_confidence is LOW_AND_ABOVE, MEDIUM_AND_ABOVE or HIGH."
  }
}

variable "model_armor_rai_filters" {
  description = "Responsible-AI categories Model Armor screens for, each with the confidence that counts as a finding (an empty map: none)."
  type        = map(string)
  default = {
    DANGEROUS         = "MEDIUM_AND_ABOVE"
    HARASSMENT        = "MEDIUM_AND_ABOVE"
    HATE_SPEECH       = "MEDIUM_AND_ABOVE"
    SEXUALLY_EXPLICIT = "MEDIUM_AND_ABOVE"
  }

  validation {
    condition = alltrue([
      for category, confidence in var.model_armor_rai_filters :
      contains(["DANGEROUS", "HARASSMENT", "HATE_SPEECH", "SEXUALLY_EXPLICIT"], category)
      && contains(["LOW_AND_ABOVE", "MEDIUM_AND_ABOVE", "HIGH"], confidence)
    ])
    error_message = "model_armor_rai_filters maps DANGEROUS, HARASSMENT, HATE_SPEECH or SEXUALLY_EXPLICIT to LOW_AND_ABOVE, MEDIUM_AND_ABOVE or HIGH."
  }
}

variable "model_armor_sensitive_data" {
  description = "Screen for sensitive data (Sensitive Data Protection's basic detectors: card numbers, government ids, credentials) in prompts and answers."
  type        = bool
  default     = true
}

variable "model_armor_log_verdicts" {
  description = "Log each Model Armor verdict, with the text it screened, to Cloud Logging (for tuning; the text is the users' data)."
  type        = bool
  default     = false
}
{%- if cookiecutter.deployment_target == "cloud_run" %}

variable "guardrail" {
  description = "The agent's guardrail (GUARDRAIL): `model_armor` screens with the environment's Model Armor template after the local pattern screen; `classifier` uses the local screen (patterns, then a learned classifier) alone, `patterns` the patterns alone (the template is still created)."
  type        = string
  default     = "model_armor"

  validation {
    condition     = contains(["model_armor", "classifier", "patterns"], var.guardrail)
    error_message = "guardrail is `model_armor`, `classifier` or `patterns`."
  }
}

variable "mcp_servers" {
  description = "MCP servers whose tools the agent uses (MCP_SERVERS): JSON in langchain-mcp-adapters' connection format, or \"\" for none. A Cloud Run server takes \"google_id_token\": true; keep secrets out (docs/mcp.md)."
  type        = string
  default     = ""

  validation {
    condition     = var.mcp_servers == "" || can(keys(jsondecode(var.mcp_servers)))
    error_message = "mcp_servers is \"\" or a JSON object of MCP servers (docs/mcp.md)."
  }
}

variable "model_armor_prompts_on_fault" {
  description = "When Model Armor gives no verdict on a prompt, tool result or passage: `fail_closed` stops the run (503), `fail_open` lets it through."
  type        = string
  default     = "fail_closed"

  validation {
    condition     = contains(["fail_closed", "fail_open"], var.model_armor_prompts_on_fault)
    error_message = "model_armor_prompts_on_fault is `fail_closed` or `fail_open`."
  }
}

variable "model_armor_responses_on_fault" {
  description = "When Model Armor gives no verdict on an answer: `fail_open` keeps it (the local leak check still runs), `fail_closed` stops the run (503)."
  type        = string
  default     = "fail_open"

  validation {
    condition     = contains(["fail_closed", "fail_open"], var.model_armor_responses_on_fault)
    error_message = "model_armor_responses_on_fault is `fail_closed` or `fail_open`."
  }
}
{%- endif %}

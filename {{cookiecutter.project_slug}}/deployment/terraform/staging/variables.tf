variable "staging_project_id" {
  description = "Google Cloud project of the staging environment."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.staging_project_id))
    error_message = "staging_project_id must be a Google Cloud project id: 6 to 30 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "cicd_project_id" {
  description = "Project of the cicd root: its CI service account deploys here{% if cookiecutter.deployment_target == "cloud_run" %} and its Artifact Registry repository holds the images{% endif %}. Apply the cicd root first."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.cicd_project_id))
    error_message = "cicd_project_id must be a Google Cloud project id: 6 to 30 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "region" {
  description = "Region of every regional resource and of the Vertex AI calls."
  type        = string
  default     = "{{ cookiecutter.gcp_region }}"

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must be a Google Cloud region such as us-central1 or europe-west4."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the resources that hold data{% if cookiecutter.deployment_target == "cloud_run" %} and the service{% endif %}. Off lets `terraform destroy` delete them, data included."
  type        = bool
  default     = false
}
{%- if cookiecutter.deployment_target == "cloud_run" %}

variable "image" {
  description = "Container image of the first revision, e.g. REGISTRY/{{ cookiecutter.project_slug }}:TAG with REGISTRY the registry_uri output of the cicd root. Later revisions come from the pipelines, and Terraform leaves them alone."
  type        = string
}

variable "invoker_members" {
  description = "Principals allowed to call the service besides the CI service account, e.g. [\"group:agent-users@example.com\"]."
  type        = list(string)
  default     = []
}

variable "auth_mode" {
  description = "Whose threads: `google` (each caller's verified Google identity has its own) or `none` (every caller shares every thread: only for one trusted backend)."
  type        = string
  default     = "google"

  validation {
    condition     = contains(["google", "none"], var.auth_mode)
    error_message = "auth_mode is `google` or `none`."
  }
}

variable "guardrail" {
  description = "The guardrail: `model_armor` (the environment's Model Armor template after the local pattern screen), `classifier` (the local patterns, then a learned classifier) or `patterns` (the local patterns alone)."
  type        = string
  default     = "model_armor"

  validation {
    condition     = contains(["model_armor", "classifier", "patterns"], var.guardrail)
    error_message = "guardrail is `model_armor`, `classifier` or `patterns`."
  }
}

variable "mcp_servers" {
  description = "MCP servers whose tools the agent uses: JSON in langchain-mcp-adapters' connection format (docs/mcp.md), or \"\" for none."
  type        = string
  default     = ""

  validation {
    condition     = var.mcp_servers == "" || can(keys(jsondecode(var.mcp_servers)))
    error_message = "mcp_servers is \"\" or a JSON object of MCP servers (docs/mcp.md)."
  }
}

variable "auth_extra_audiences" {
  description = "Other names clients call the service by (its hash-based run.app URL, a custom domain), which their ID tokens may be minted for."
  type        = list(string)
  default     = []
}

variable "max_instances" {
  description = "Upper bound on Cloud Run instances."
  type        = number
  default     = 10
}
{%- endif %}

variable "alert_email" {
  description = "E-mail address notified by the alerts; empty for none."
  type        = string
  default     = ""
}

variable "notification_channels" {
  description = "Existing Cloud Monitoring notification channels the alerts notify."
  type        = list(string)
  default     = []
}

variable "model_armor_injection_confidence" {
  description = "How sure Model Armor must be to call a text prompt injection or a jailbreak: LOW_AND_ABOVE, MEDIUM_AND_ABOVE or HIGH."
  type        = string
  default     = "MEDIUM_AND_ABOVE"

  validation {
    condition     = contains(["LOW_AND_ABOVE", "MEDIUM_AND_ABOVE", "HIGH"], var.model_armor_injection_confidence)
    error_message = "model_armor_injection_confidence is LOW_AND_ABOVE, MEDIUM_AND_ABOVE or HIGH."
  }
}

# The module declares the providers it needs; each root (staging, prod, dev)
# configures them.
terraform {
  # 1.11: write-only arguments, which keep secrets out of plan and state.
  required_version = ">= 1.11, < 2.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 7.1"
    }
{%- if cookiecutter.session_store == "cloud_sql" %}
    random = {
      source  = "hashicorp/random"
      version = ">= 3.7.1, < 4.0"
    }
{%- endif %}
  }
}

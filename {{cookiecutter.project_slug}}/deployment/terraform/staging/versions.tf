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

  # State is local (terraform.tfstate in this directory) until you choose a
  # backend. To share it with your team and lock it during applies, create a GCS
  # bucket with versioning in a project you administer, uncomment this block, set
  # the bucket, and run `terraform init -migrate-state`:
  #
  # backend "gcs" {
  #   bucket = "YOUR-STATE-BUCKET"
  #   prefix = "{{ cookiecutter.project_slug }}/staging"
  # }
}

provider "google" {
  project = var.staging_project_id
  region  = var.region
}

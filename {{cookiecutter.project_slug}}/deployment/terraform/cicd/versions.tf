terraform {
  required_version = ">= 1.11, < 2.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 7.1"
    }
{%- if cookiecutter.cicd_runner == "github_actions" %}
    github = {
      source  = "integrations/github"
      version = "~> 6.0"
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
  #   prefix = "{{ cookiecutter.project_slug }}/cicd"
  # }
}

provider "google" {
  project = var.cicd_project_id
  region  = var.region
}
{%- if cookiecutter.cicd_runner == "github_actions" %}

# Authenticates with the GITHUB_TOKEN environment variable (e.g. `export
# GITHUB_TOKEN=$(gh auth token)`): a token that may administer the repository.
provider "github" {
  owner = var.github_owner
}
{%- endif %}

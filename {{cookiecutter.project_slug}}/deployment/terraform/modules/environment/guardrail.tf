# The production guardrail: a Model Armor template that the agent screens its
# input (user messages, tool results, retrieved passages) and its answers with
# (GUARDRAIL=model_armor, docs/guardrails.md). One template per environment, its
# filters and confidence levels set by variables. The runtime identity may only
# use templates to screen text (roles/modelarmor.user), not change them.

locals {
  model_armor_location = coalesce(var.model_armor_location, var.region)
  model_armor_template = "${local.app}-${var.environment}"
}

resource "google_model_armor_template" "guardrail" {
  project     = var.project_id
  location    = local.model_armor_location
  template_id = local.model_armor_template
  labels      = local.labels

  filter_config {
    pi_and_jailbreak_filter_settings {
      filter_enforcement = "ENABLED"
      confidence_level   = var.model_armor_injection_confidence
    }
    malicious_uri_filter_settings {
      filter_enforcement = "ENABLED"
    }
    # Responsible-AI categories (none: no such filter).
    dynamic "rai_settings" {
      for_each = length(var.model_armor_rai_filters) > 0 ? [1] : []
      content {
        dynamic "rai_filters" {
          for_each = var.model_armor_rai_filters
          content {
            filter_type      = rai_filters.key
            confidence_level = rai_filters.value
          }
        }
      }
    }
    sdp_settings {
      basic_config {
        filter_enforcement = var.model_armor_sensitive_data ? "ENABLED" : "DISABLED"
      }
    }
  }

  template_metadata {
    # Each verdict in Cloud Logging, to tune the confidence levels on real
    # traffic. The screened text is logged with it: off by default.
    log_sanitize_operations = var.model_armor_log_verdicts
    # Injections in other languages than English (docs/guardrails.md).
    multi_language_detection {
      enable_multi_language_detection = true
    }
  }

  depends_on = [google_project_service.enabled]
}

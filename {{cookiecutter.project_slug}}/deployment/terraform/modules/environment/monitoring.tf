# Alerts: server errors, slow requests, failed agent runs (a streamed run that
# fails still answers 200, with an SSE `error` event, so request metrics miss it),
# and runs that use far more tokens than usual.
{%- if cookiecutter.deployment_target == "cloud_run" %}
# Request metrics are Cloud Run's own (run.googleapis.com).
{%- else %}
# Request metrics are Agent Engine's built-in ones, for every agent of the project
# (aiplatform.googleapis.com/reasoning_engine/*).
{%- endif %}

locals {
{%- if cookiecutter.deployment_target == "cloud_run" %}
  requests_filter  = "resource.type = \"cloud_run_revision\" AND resource.labels.service_name = \"${local.app}\" AND metric.type = \"run.googleapis.com/request_count\""
  errors_filter    = "${local.requests_filter} AND metric.labels.response_code_class = \"5xx\""
  latencies_filter = "resource.type = \"cloud_run_revision\" AND resource.labels.service_name = \"${local.app}\" AND metric.type = \"run.googleapis.com/request_latencies\""
{%- else %}
  requests_filter  = "resource.type = \"aiplatform.googleapis.com/ReasoningEngine\" AND metric.type = \"aiplatform.googleapis.com/reasoning_engine/request_count\""
  errors_filter    = "${local.requests_filter} AND metric.labels.response_code = monitoring.regex.full_match(\"5[0-9][0-9]\")"
  latencies_filter = "resource.type = \"aiplatform.googleapis.com/ReasoningEngine\" AND metric.type = \"aiplatform.googleapis.com/reasoning_engine/request_latencies\""
{%- endif %}

  notification_channels = concat(
    var.notification_channels,
    google_monitoring_notification_channel.email[*].name,
  )
  alert_severity = var.environment == "prod" ? "CRITICAL" : "WARNING"
}

resource "google_monitoring_notification_channel" "email" {
  count = var.alert_email == "" ? 0 : 1

  project      = var.project_id
  display_name = "${local.app} (${var.environment}) alerts"
  type         = "email"
  labels = {
    email_address = var.alert_email
  }

  depends_on = [google_project_service.enabled]
}

resource "google_monitoring_alert_policy" "error_rate" {
  project               = var.project_id
  display_name          = "${local.app} (${var.environment}): server error rate"
  combiner              = "OR"
  severity              = local.alert_severity
  notification_channels = local.notification_channels
  user_labels           = local.labels

  conditions {
    display_name = "5xx responses above ${var.error_rate_threshold * 100}% of requests for 5 minutes"

    condition_threshold {
      filter             = local.errors_filter
      denominator_filter = local.requests_filter
      comparison         = "COMPARISON_GT"
      threshold_value    = var.error_rate_threshold
      duration           = "300s"
      # No traffic is not an outage of this kind.
      evaluation_missing_data = "EVALUATION_MISSING_DATA_INACTIVE"

      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_RATE"
        cross_series_reducer = "REDUCE_SUM"
      }

      denominator_aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_RATE"
        cross_series_reducer = "REDUCE_SUM"
      }
    }
  }

  alert_strategy {
    auto_close = "1800s"
  }

  documentation {
    mime_type = "text/markdown"
    content   = "More than ${var.error_rate_threshold * 100}% of the requests to ${local.app} (${var.environment}) failed with a server error. Read the agent's logs (log bucket `${google_logging_project_bucket_config.app.bucket_id}`) for the failing runs."
  }

  depends_on = [google_project_service.enabled]
}

resource "google_monitoring_alert_policy" "latency_p95" {
  project               = var.project_id
  display_name          = "${local.app} (${var.environment}): p95 latency"
  combiner              = "OR"
  severity              = local.alert_severity
  notification_channels = local.notification_channels
  user_labels           = local.labels

  conditions {
    display_name = "95th percentile request latency above ${var.latency_p95_threshold_ms} ms for 10 minutes"

    condition_threshold {
      filter                  = local.latencies_filter
      comparison              = "COMPARISON_GT"
      threshold_value         = var.latency_p95_threshold_ms
      duration                = "600s"
      evaluation_missing_data = "EVALUATION_MISSING_DATA_INACTIVE"

      # Merge the latency distributions of every instance, then take the 95th percentile.
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_PERCENTILE_95"
      }
    }
  }

  alert_strategy {
    auto_close = "1800s"
  }

  documentation {
    mime_type = "text/markdown"
    content   = "Requests to ${local.app} (${var.environment}) are slow: the 95th percentile is above ${var.latency_p95_threshold_ms} ms. A streamed run counts as one request for its whole duration; look at the model's latency in Cloud Trace before scaling."
  }

  depends_on = [google_project_service.enabled]
}

# Any error line of the agent's own code: runs that failed whatever the HTTP
# status (model timeouts, tool failures, the step limit). A log-match condition
# needs no metric, and notifies at most once per period.
resource "google_monitoring_alert_policy" "failed_runs" {
  project               = var.project_id
  display_name          = "${local.app} (${var.environment}): failed runs"
  combiner              = "OR"
  severity              = local.alert_severity
  notification_channels = local.notification_channels
  user_labels           = local.labels

  conditions {
    display_name = "The agent logged an error"

    condition_matched_log {
      filter = "${local.app_logs_filter} AND severity >= ERROR AND jsonPayload.logger =~ \"^${local.package}[.]\""
    }
  }

  alert_strategy {
    auto_close = "1800s"
    notification_rate_limit {
      period = var.failed_runs_notification_period
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "The ${local.app} agent (${var.environment}) logged an error. Each line names its run id; the log bucket `${google_logging_project_bucket_config.app.bucket_id}` has the whole run."
  }

  depends_on = [google_project_service.enabled]
}

# Tokens per run, from the line metering logs when a run ends ("run finished",
# jsonPayload.run.total_tokens), by model: a distribution, so the alert can watch a
# percentile. A run that loops through tools, or a thread that keeps growing, shows
# up here before it shows up on the bill.
resource "google_logging_metric" "run_tokens" {
  project     = var.project_id
  name        = "${local.app}/run-total-tokens"
  description = "Tokens (input + output) of each run of the ${local.app} agent, from its \"run finished\" log lines."
  filter      = "${local.app_logs_filter} AND jsonPayload.logger = \"${local.package}.metering\" AND jsonPayload.message = \"run finished\""

  value_extractor = "EXTRACT(jsonPayload.run.total_tokens)"
  label_extractors = {
    model = "EXTRACT(jsonPayload.run.model)"
  }

  metric_descriptor {
    display_name = "${local.app}: tokens per run"
    metric_kind  = "DELTA"
    value_type   = "DISTRIBUTION"
    unit         = "1"

    labels {
      key         = "model"
      value_type  = "STRING"
      description = "Model that answered the run."
    }
  }

  # Buckets 25% apart, from 16 tokens to past 20 million: a percentile is read to
  # within a quarter of its value.
  bucket_options {
    exponential_buckets {
      num_finite_buckets = 64
      growth_factor      = 1.25
      scale              = 16
    }
  }

  depends_on = [google_project_service.enabled]
}

resource "google_monitoring_alert_policy" "token_spike" {
  project               = var.project_id
  display_name          = "${local.app} (${var.environment}): token usage per run"
  combiner              = "OR"
  severity              = local.alert_severity
  notification_channels = local.notification_channels
  user_labels           = local.labels

  conditions {
    display_name = "95th percentile of tokens per run above ${var.token_spike_threshold} over ${var.token_spike_window}, for one model"

    condition_threshold {
      # The log lines' resource (the service or the agent), as in the logs' filter.
      filter                  = "${local.app_logs_filter} AND metric.type = \"logging.googleapis.com/user/${google_logging_metric.run_tokens.name}\""
      comparison              = "COMPARISON_GT"
      threshold_value         = var.token_spike_threshold
      duration                = "0s"
      evaluation_missing_data = "EVALUATION_MISSING_DATA_INACTIVE"

      # Merge every instance's runs of a model over the window, then take the 95th
      # percentile: one series per model.
      aggregations {
        alignment_period     = var.token_spike_window
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_PERCENTILE_95"
        group_by_fields      = ["metric.label.model"]
      }
    }
  }

  alert_strategy {
    auto_close = "3600s"
  }

  documentation {
    mime_type = "text/markdown"
    content   = "Runs of ${local.app} (${var.environment}) use more tokens than usual: the 95th percentile is above ${var.token_spike_threshold} tokens per run over ${var.token_spike_window}. Query the per-run records in BigQuery (`${var.project_id}.${google_bigquery_dataset.telemetry.dataset_id}`, `jsonPayload.run`) for the runs with the most tokens: a tool loop, a prompt version that grew, or threads that keep growing."
  }

  depends_on = [google_project_service.enabled]
}

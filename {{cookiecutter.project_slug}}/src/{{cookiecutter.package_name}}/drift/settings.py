"""The drift check's knobs, read from `DRIFT_*` variables (and `.env`)."""

from dataclasses import dataclass
from typing import Literal, Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ..settings import Settings

EmbeddingKind = Literal["local", "vertex"]
# The app's default region, so the check calls Vertex AI where the agent does.
_APP_LOCATION: str = Settings.model_fields["google_cloud_location"].default


@dataclass(frozen=True)
class Thresholds:
    """Past either one, the inputs have drifted (cosine distances, 0 to 2)."""

    centroid: float
    neighbour: float


# Distances mean different things in different embedding spaces, so each embedding
# has its own defaults; DRIFT_CENTROID_THRESHOLD / DRIFT_NEIGHBOUR_THRESHOLD
# override them.
# - local (hashed n-grams), measured on the samples in evals/drift/ against the
#   example's eval set:
#                             centroid   neighbour (90th percentile)
#     the eval inputs             0.07        0.00
{%- if cookiecutter.agent == "rag" %}
#     on_topic_inputs.jsonl       0.26        0.49   (reworded shop questions)
#     shifted_inputs.jsonl        0.57        0.92   (tax, recipes, laptops, ...)
{%- else %}
#     on_topic_inputs.jsonl       0.23        0.66   (reworded weather/time asks)
#     shifted_inputs.jsonl        0.65        0.92   (tax, recipes, refunds, ...)
{%- endif %}
#   Each threshold sits between on-topic and shifted traffic, nearer the on-topic
#   side: a week where over a tenth of the questions are new topics fails.
# - vertex (a semantic model): its distances are compressed, roughly 0.35-0.5
#   for unrelated text and under 0.25 for the same request reworded. These are
#   starting points: run the check on a week you know is healthy and set the
#   thresholds a margin above what it reports.
DEFAULT_THRESHOLDS: dict[EmbeddingKind, Thresholds] = {
    "local": Thresholds(centroid=0.4, neighbour=0.75),
    "vertex": Thresholds(centroid=0.1, neighbour=0.3),
}


class DriftSettings(BaseSettings):
    """How inputs are embedded and when their distribution counts as drifted.

    Every field maps to `DRIFT_<FIELD>`, except the Google Cloud ones, which use
    the same variables as the app (`GOOGLE_CLOUD_PROJECT`, ...).
    """

    model_config = SettingsConfigDict(
        env_prefix="DRIFT_",
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
    )

    # `local` is a deterministic offline stand-in (no meaning, only wording);
    # `vertex` is a Vertex AI text-embedding model.
    embeddings: EmbeddingKind = "local"
    # Google's current text-embedding model: multilingual, so inputs that switch
    # language show up as drift instead of being embedded poorly.
    embedding_model: str = Field("gemini-embedding-001", min_length=1)
    # Empty: the default of the chosen embedding (DEFAULT_THRESHOLDS).
    centroid_threshold: float | None = Field(None, gt=0, le=2)
    # Which quantile of the nearest-eval-input distances is compared: 0.9 means
    # "drift when more than a tenth of the inputs are unlike every eval input".
    neighbour_quantile: float = Field(0.9, gt=0, le=1)
    neighbour_threshold: float | None = Field(None, gt=0, le=2)

    # An alias is not prefixed: these read the same variables as the app's Settings.
    google_cloud_project: str | None = Field(
        None, validation_alias="google_cloud_project"
    )
    google_cloud_location: str = Field(
        _APP_LOCATION, validation_alias="google_cloud_location"
    )
    # Overrides the Vertex AI endpoint (private endpoints, proxies, protocol fakes).
    vertex_base_url: str | None = Field(None, validation_alias="vertex_base_url")
    # Overrides the BigQuery API endpoint (private endpoints, protocol fakes).
    bigquery_endpoint: str | None = None

    @model_validator(mode="after")
    def _vertex_needs_a_project(self) -> Self:
        if self.embeddings == "vertex" and not self.google_cloud_project:
            raise ValueError(
                "DRIFT_EMBEDDINGS=vertex needs GOOGLE_CLOUD_PROJECT: set it to the "
                "project that has the Vertex AI API enabled"
            )
        return self

    @property
    def thresholds(self) -> Thresholds:
        """The thresholds in force: the configured ones, else the defaults."""
        default = DEFAULT_THRESHOLDS[self.embeddings]
        return Thresholds(
            centroid=self.centroid_threshold or default.centroid,
            neighbour=self.neighbour_threshold or default.neighbour,
        )

"""Configuration from the environment (and a ``.env`` file), via pydantic-settings.

Every setting has a working default, so the app runs on an embedded SQLite file with no configuration.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent
SHIPPED_QUESTIONNAIRES = PROJECT_ROOT / "questionnaires"
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'data' / 'layerwise.db'}"


class Settings(BaseSettings):
    """Layerwise settings; each field maps to an environment variable of the same name in upper case."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(default=DEFAULT_DATABASE_URL, validation_alias="DATABASE_URL")
    questionnaire_dirs: Annotated[list[Path], NoDecode] = Field(
        default_factory=list,
        validation_alias="LAYERWISE_QUESTIONNAIRE_DIRS",
        description="Extra folders holding questionnaire folders, separated by os.pathsep (':').",
    )
    admin_passcode: str | None = Field(default=None, validation_alias="LAYERWISE_ADMIN_PASSCODE")
    default_k: int = Field(default=3, ge=3, validation_alias="LAYERWISE_DEFAULT_K")
    sqlite_busy_timeout_ms: int = Field(
        default=15_000,
        ge=0,
        validation_alias="LAYERWISE_SQLITE_BUSY_TIMEOUT_MS",
        description="How long an SQLite write waits for another writer's lock before it reports the database busy.",
    )
    retention_months: int | None = Field(
        default=None,
        ge=1,
        validation_alias="LAYERWISE_RETENTION_MONTHS",
        description="Individual answers untouched for longer than this are erased by 'cli.py retention apply'.",
    )
    pdf_fallback_font: Path | None = Field(
        default=None,
        validation_alias="LAYERWISE_PDF_FALLBACK_FONT",
        description="A TrueType font used in PDFs for text the bundled DejaVu Sans has no glyphs for (e.g. CJK).",
    )

    @field_validator("questionnaire_dirs", mode="before")
    @classmethod
    def _split_dirs(cls, value: object) -> object:
        if isinstance(value, str):
            import os

            return [Path(part) for part in value.split(os.pathsep) if part.strip()]
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once; tests call ``get_settings.cache_clear()`` after changing env)."""
    return Settings()

"""Settings, read from the environment and an optional `.env` file.

This is the only module that reads the environment. Nothing here runs at import time:
`load_settings()` is called by the entry point and the result is passed down.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_KNOWLEDGE_DIR = REPO_ROOT / "knowledge"
DEFAULT_DATA_DIR = Path("data")
SUPPORTED_LOCALES = ("pl", "uk", "en")

# Used only when PSEUDONYM_KEY is unset (console, tests); the entry point warns about it on Telegram.
DEVELOPMENT_PSEUDONYM_KEY = "development-only-pseudonym-key"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    telegram_bot_token: SecretStr | None = None
    telegram_api_base: str = "https://api.telegram.org"
    database_url: str = f"sqlite+aiosqlite:///{DEFAULT_DATA_DIR / 'lis-bot.sqlite3'}"
    redis_url: SecretStr | None = None
    coordinator_chat_id: int | None = None
    coordinator_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    default_locale: str = "pl"
    knowledge_dir: Path = DEFAULT_KNOWLEDGE_DIR
    # HMAC key that turns Telegram ids into pseudonymous keys for storage and Redis.
    pseudonym_key: SecretStr = SecretStr(DEVELOPMENT_PSEUDONYM_KEY)
    log_level: str = "INFO"

    @field_validator("default_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in SUPPORTED_LOCALES:
            raise ValueError(f"DEFAULT_LOCALE must be one of {', '.join(SUPPORTED_LOCALES)}")
        return value

    @field_validator("coordinator_ids", mode="before")
    @classmethod
    def _comma_separated_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
        return value

    @property
    def uses_development_pseudonym_key(self) -> bool:
        return self.pseudonym_key.get_secret_value() == DEVELOPMENT_PSEUDONYM_KEY


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment (and `.env`), with explicit overrides on top."""
    return Settings(**overrides)

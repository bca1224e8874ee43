"""Settings, read from the environment and an optional `.env` file.

This is the only module that reads the environment. Nothing here runs at import time:
`load_settings()` is called by the entry point and the result is passed down. Values are
checked here, so a mistake is one line naming the variable, not a traceback later.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url

from knowledge.model import LOCALES
from storage.db import DatabaseUrlError, normalise_database_url

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_KNOWLEDGE_DIR = REPO_ROOT / "knowledge"
DEFAULT_DATA_DIR = Path("data")

# For the console and tests only: `run` and `webhook` refuse to start without PSEUDONYM_KEY.
DEVELOPMENT_PSEUDONYM_KEY = "development-only-pseudonym-key"
_API_BASE = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?(/[\w./-]*)?$")


class ConfigError(ValueError):
    """A setting is wrong; the message names the variable and says what to write."""


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
    pseudonym_key: SecretStr | None = None
    log_level: str = "INFO"
    # The sentence encoder beside word matching (knowledge/encoder.py); 0 for words only.
    dense_matching: bool = True
    # How often `run` tries its start-up calls to Telegram before giving up (with backoff).
    startup_attempts: int = Field(default=6, ge=1, le=20)
    # `webhook`: the public address registered with Telegram, the secret it sends back, and
    # where this worker listens (behind a reverse proxy; loopback unless told otherwise).
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    webhook_path: str = "/telegram"
    # A resident sending more than FLOOD_BURST messages within FLOOD_WINDOW seconds gets one
    # "slow down" and the rest are not handled; 0 turns the guard off (the console does).
    flood_burst: int = Field(default=8, ge=0, le=1000)
    flood_window: float = Field(default=10.0, gt=0, le=600)
    # How long a worker holds a claimed outbox message before another may take it over (a
    # send times out at a third of it). Lower only to test a killed worker's takeover.
    outbox_lease_seconds: float = Field(default=90.0, ge=3, le=3600)
    # Where simplemma's dictionaries are built once as tries (the user's cache by default).
    lemma_cache_dir: Path | None = None

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value and not value.startswith("https://"):
            raise ValueError("must be an https:// address (Telegram posts only to https)")
        return value or None

    @field_validator("webhook_path")
    @classmethod
    def _webhook_path(cls, value: str) -> str:
        if not value.startswith("/") or value == "/healthz":
            raise ValueError("must start with / and not be /healthz")
        return value

    @field_validator("default_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in LOCALES:
            raise ValueError(f"must be one of {', '.join(LOCALES)}")
        return value

    @field_validator("coordinator_ids", mode="before")
    @classmethod
    def _comma_separated_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
        return value

    @field_validator("telegram_api_base")
    @classmethod
    def _api_base(cls, value: str) -> str:
        value = value.rstrip("/")
        if not _API_BASE.match(value):
            raise ValueError("must be an http:// or https:// address such as "
                             "https://api.telegram.org (without the bot token)")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        try:
            return normalise_database_url(value)
        except DatabaseUrlError as error:
            raise ValueError(str(error).removeprefix("DATABASE_URL: ")) from None

    @property
    def uses_development_pseudonym_key(self) -> bool:
        return self.pseudonym_key is None or (
            self.pseudonym_key.get_secret_value() == DEVELOPMENT_PSEUDONYM_KEY)

    @property
    def pseudonym_secret(self) -> str:
        return (self.pseudonym_key.get_secret_value() if self.pseudonym_key
                else DEVELOPMENT_PSEUDONYM_KEY)

    def secrets(self) -> list[str]:
        """Values that must never appear in a log."""
        found = [self.pseudonym_secret]
        if self.telegram_bot_token is not None:
            token = self.telegram_bot_token.get_secret_value()
            found += [token, token.split(":", 1)[-1]]
        if self.webhook_secret is not None:
            found.append(self.webhook_secret.get_secret_value())
        if self.redis_url is not None:
            found.append(self.redis_url.get_secret_value())
            found.append(make_url(self.redis_url.get_secret_value()).password or "")
        found.append(make_url(self.database_url).password or "")
        return [value for value in found if value and value != DEVELOPMENT_PSEUDONYM_KEY]


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment (and `.env`), with explicit overrides on top."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in issue['loc']).upper() or 'settings'}: "
            f"{issue['msg'].removeprefix('Value error, ')}"
            for issue in error.errors())
        raise ConfigError(problems) from None

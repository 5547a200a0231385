"""Paths and settings. Nothing here touches the disk at import time."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "royalty"
HOME_ENV = "ROYALTY_HOME"
"""Environment variable naming the folder that holds the store."""


def royalty_home() -> Path:
    """The folder holding every user's stored plays.

    ``$ROYALTY_HOME`` when set, else the platform's user data directory
    (for example ``~/.local/share/royalty`` on Linux).
    """
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    """The folder holding ``royalty.toml`` (the platform's user config directory)."""
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))

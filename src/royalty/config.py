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


CONFIG_FILE = "royalty.toml"
"""Name of the optional config file inside :func:`config_dir`."""


def config_path() -> Path:
    """Where royalty looks for its config file: ``config_dir() / "royalty.toml"``.

    Example:
        >>> config_path().name
        'royalty.toml'
    """
    return config_dir() / CONFIG_FILE


def read_config(path: Path | None = None) -> dict[str, object]:
    """Read the config file (TOML); an absent file is an empty config.

    The file is optional. Today it holds the Last.fm settings, each of which an
    option or an environment variable overrides::

        [lastfm]
        api_key = "0123456789abcdef0123456789abcdef"  # after --api-key, LASTFM_API_KEY
        api_url = "https://ws.audioscrobbler.com/2.0/"  # after --api-url, LASTFM_API_URL

    Keep the file private (``chmod 600``): it holds a secret.

    Args:
        path: the file to read; default :func:`config_path`.

    Raises:
        UsageError: the file exists but is not valid TOML, cannot be read, is
            not a regular file (a folder, a FIFO, a device) or is larger than
            1 MB (a config file is a few lines).

    Example:
        >>> read_config(Path("/nonexistent/royalty.toml"))
        {}
    """
    import stat
    import tomllib

    from royalty.errors import UsageError

    path = path or config_path()
    problem = f"cannot read the config file {path}"
    try:
        # Open without blocking: opening a FIFO for reading would wait for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise UsageError(f"{problem}: {exc.strerror or exc}; fix or remove it") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise UsageError(f"{problem}: it is not a regular file; fix or remove it")
    with os.fdopen(fd, "rb") as fh:
        try:
            data = fh.read(_CONFIG_LIMIT + 1)
        except OSError as exc:
            raise UsageError(f"{problem}: {exc.strerror or exc}; fix or remove it") from None
    if len(data) > _CONFIG_LIMIT:
        raise UsageError(f"{problem}: it is larger than 1 MB; fix or remove it")
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{problem}: {exc}; fix or remove it") from None


_CONFIG_LIMIT = 1 << 20
"""The largest config file read, in bytes."""

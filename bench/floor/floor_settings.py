"""The site's settings with one more address, /<lang>/bench-shell/ (bench/floor.py)."""

from blogsite.settings import *  # noqa: F403

ROOT_URLCONF = "floor_urls"

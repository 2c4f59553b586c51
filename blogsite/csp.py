"""The Content-Security-Policy's one inline script: allowed by the hash of its exact text."""

import base64
import hashlib
from pathlib import Path

# Included verbatim by base.html, so the hash of the file is the hash of the script.
THEME_SCRIPT = Path(__file__).resolve().parent.parent / "templates" / "theme_script.js"


def script_hash(text):
    digest = hashlib.sha256(text.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


THEME_SCRIPT_HASH = script_hash(THEME_SCRIPT.read_text(encoding="utf-8"))

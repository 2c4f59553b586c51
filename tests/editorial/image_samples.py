"""Small images made on the fly for upload tests."""

import io

from PIL import Image


def image_bytes(format="PNG", size=(64, 48), color="teal", **options):
    buffer = io.BytesIO()
    mode = "P" if format == "GIF" else "RGB"
    Image.new("RGB", size, color).convert(mode).save(buffer, format=format, **options)
    return buffer.getvalue()

"""Responsive WebP renditions of the images in an article's body, like the cover's."""

import logging

from django.core.files.storage import default_storage
from PIL import Image

from sitewide.images import make_renditions, rendition_name, rendition_widths, srcset

logger = logging.getLogger(__name__)

# The body column is as wide as the cover: the whole screen on a phone, 46rem from 50rem up.
SIZES = "(min-width: 50rem) 46rem, 100vw"


def has_renditions(name, width):
    return all(default_storage.exists(rendition_name(name, w)) for w in rendition_widths(width))


def responsive_attributes(name, width):
    """src/srcset/sizes for a stored image `width` pixels wide, or None until its renditions exist.

    The largest rendition is the fallback `src`: no reader downloads the original.
    """
    if not has_renditions(name, width):
        return None
    largest = rendition_name(name, rendition_widths(width)[-1])
    return {"src": default_storage.url(largest), "srcset": srcset(name, width), "sizes": SIZES}


def make_body_renditions(names):
    """Make the missing renditions of these stored images; whether any were made."""
    made = False
    for name in sorted(names):
        try:
            with default_storage.open(name) as file:
                with Image.open(file) as image:
                    width = image.width
                if has_renditions(name, width):
                    continue
                made = make_renditions(file) is not None or made
        except (OSError, ValueError, Image.DecompressionBombError) as error:
            # The author may have linked a file that is gone; the page keeps the plain `src`.
            logger.warning("No renditions for %s: %s", name, error)
    return made

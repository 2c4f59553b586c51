"""Uploaded images: checked by content, stripped to their pixels, stored under a keyed hash of
their content, resized to WebP."""

import io
import logging
import posixpath
import warnings
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.template.defaultfilters import filesizeformat
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

# Pillow format name → the extension a stored file gets. Nothing else is accepted (no SVG).
# A camera's multi-picture JPEG (MPO) is stored as a plain JPEG of its main picture.
EXTENSIONS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
SAVED_AS = {"MPO": "JPEG"}
# Formats whose animation is kept; any other keeps its first frame.
ANIMATED = {"GIF", "WEBP", "PNG"}
RENDITIONS_PATH = "renditions/"

logger = logging.getLogger(__name__)

UNSUPPORTED = _("Only JPEG, PNG, WebP and GIF images can be uploaded.")
DAMAGED = _("This image file is damaged or incomplete and cannot be read.")


@dataclass(frozen=True)
class CheckedImage:
    extension: str
    width: int
    height: int


def too_many_pixels():
    limit = settings.IMAGE_UPLOAD_MAX_PIXELS
    return ValidationError(
        _("The image is too large: keep it under %(megapixels)s megapixels.")
        % {"megapixels": f"{limit / 1_000_000:g}"},
        code="too_many_pixels",
    )


def check_image(upload):
    """Refuse anything that is not a whole JPEG, PNG, WebP or GIF within the caps."""
    if upload.size > settings.IMAGE_UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("The file is too big (%(size)s): keep it under %(limit)s.")
            % {
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.IMAGE_UPLOAD_MAX_BYTES),
            },
            code="too_big",
        )
    try:
        with warnings.catch_warnings():
            # Pillow only warns between one and two times its pixel limit: refuse those too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload) as image:
                if image.format not in EXTENSIONS:
                    raise ValidationError(UNSUPPORTED, code="unsupported")
                extension = EXTENSIONS[image.format]
                width, height = image.size
                if width * height > settings.IMAGE_UPLOAD_MAX_PIXELS:
                    raise too_many_pixels()
                image.verify()
            # verify() leaves the image unusable; a full decode catches truncated pixel data.
            upload.seek(0)
            with Image.open(upload) as image:
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise too_many_pixels() from error
    except UnidentifiedImageError as error:
        raise ValidationError(UNSUPPORTED, code="unsupported") from error
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise ValidationError(DAMAGED, code="damaged") from error
    finally:
        upload.seek(0)
    return CheckedImage(extension=extension, width=width, height=height)


# How each stored format is written again. JPEG and WebP are lossy: a high quality keeps
# photos as they were; PNG and GIF are lossless anyway.
ENCODER_OPTIONS = {"JPEG": {"quality": 90}, "WEBP": {"quality": 90}, "PNG": {}, "GIF": {}}


def image_only(image, format, **options):
    """`image` encoded as `format` with nothing but its pixels.

    Every stored image goes through here (originals and renditions): no EXIF (GPS included),
    no comments, XMP or ICC, and nothing after the image data, because Pillow writes a new
    file from the decoded pixels and carries over only what we pass it.
    """
    format = SAVED_AS.get(format, format)
    frames = [ImageOps.exif_transpose(frame) for frame in ImageSequence.Iterator(image)]
    if format not in ANIMATED:
        frames = frames[:1]
    for frame in frames:
        # Only what the pixels need: the transparent colour of a palette image.
        frame.info = {k: v for k, v in frame.info.items() if k in {"transparency", "duration"}}
    options = {**ENCODER_OPTIONS.get(format, {}), **options}
    if len(frames) > 1:
        options.update(
            save_all=True,
            append_images=frames[1:],
            duration=[frame.info.get("duration", 100) for frame in frames],
            loop=image.info.get("loop", 0),
        )
    buffer = io.BytesIO()
    frames[0].save(buffer, format=format, exif=b"", **options)
    return buffer.getvalue()


def stripped(content):
    """An uploaded image, already checked by check_image(), as image data alone."""
    content.seek(0)
    with Image.open(content) as image:
        data = image_only(image, image.format)
    content.seek(0)
    return ContentFile(data, name=getattr(content, "name", None))


def content_name(folder, content):
    """`folder/<keyed hash>.<ext>`: the same image uploaded twice gets the same name.

    Keyed with the site's secret, so a name cannot be worked out from the picture: media
    are public files (nginx serves them without asking the app), and an article's images must
    not be found before the article is published, even where their content can be known (the
    demo's covers are drawn from their slug).
    """
    digest = salted_hmac("sitewide.images.content_name", b"", algorithm="sha256")
    content.seek(0)
    for chunk in content.chunks() if hasattr(content, "chunks") else iter(content.read, b""):
        digest.update(chunk)
    content.seek(0)
    with Image.open(content) as image:
        extension = EXTENSIONS.get(image.format)
    content.seek(0)
    if extension is None:
        extension = posixpath.splitext(getattr(content, "name", "") or "")[1].lstrip(".") or "bin"
    return posixpath.join(folder, f"{digest.hexdigest()}.{extension}")


class ContentAddressedStorage(FileSystemStorage):
    """Media storage that names a file by its content and never stores the same bytes twice."""

    def save(self, name, content, max_length=None):
        # Named by the bytes we keep, so the same picture with other metadata is one file.
        content = stripped(content)
        name = content_name(posixpath.dirname(name), content)
        if self.exists(name):
            return name
        return super().save(name, content, max_length=max_length)


def content_addressed_storage():
    return ContentAddressedStorage()


def rendition_widths(width):
    """Widths to make for an image `width` pixels wide; never wider than the original."""
    widths = [w for w in settings.COVER_RENDITION_WIDTHS if w < width]
    return [*widths, min(width, max(settings.COVER_RENDITION_WIDTHS))]


def rendition_name(name, width):
    stem = posixpath.splitext(posixpath.basename(name))[0]
    return f"{RENDITIONS_PATH}{stem}-{width}w.webp"


def make_renditions(field_file):
    """WebP copies of a stored image at each width; its (width, height), or None if unreadable."""
    try:
        with field_file.open("rb"), Image.open(field_file) as image:
            image.load()
            original = image.convert("RGBA" if image.mode in {"RGBA", "LA", "P"} else "RGB")
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        # A missing or broken file must not stop the save; the page falls back to `src`.
        logger.warning("No renditions for %s: %s", field_file.name, error)
        return None
    for width in rendition_widths(original.width):
        name = rendition_name(field_file.name, width)
        if default_storage.exists(name):
            continue
        height = max(1, round(original.height * width / original.width))
        resized = original.resize((width, height), Image.Resampling.LANCZOS)
        default_storage.save(name, ContentFile(image_only(resized, "WEBP", quality=80, method=4)))
    return original.size


def srcset(name, width):
    return ", ".join(
        f"{default_storage.url(rendition_name(name, w))} {w}w" for w in rendition_widths(width)
    )


class CheckedImageField(forms.ImageField):
    """The admin's image field: our content checks and messages instead of Pillow's bare one."""

    def to_python(self, data):
        upload = forms.FileField.to_python(self, data)
        if upload is None:
            return None
        check_image(upload)
        return upload

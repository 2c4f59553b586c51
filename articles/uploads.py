"""The markdownx editor's image upload (drop, paste or the file button), checked by content."""

import posixpath

from django.http import JsonResponse
from markdownx.forms import ImageForm
from markdownx.settings import MARKDOWNX_MEDIA_PATH
from markdownx.views import ImageUploadView

from sitewide.images import check_image, content_addressed_storage


class ImageUploadForm(ImageForm):
    """The markdownx editor's drop/paste upload, checked by content and stored by hash."""

    def clean(self):
        # markdownx trusts the browser's content type; the content is checked in clean_image.
        return self.cleaned_data

    def clean_image(self):
        upload = self.cleaned_data["image"]
        check_image(upload)
        return upload

    def save(self, commit=True):
        storage = content_addressed_storage()
        upload = self.cleaned_data["image"]
        name = storage.save(posixpath.join(MARKDOWNX_MEDIA_PATH, "image"), upload)
        return storage.url(name)


class ImageUpload(ImageUploadView):
    form_class = ImageUploadForm

    def form_invalid(self, form):
        # Always JSON: the editor shows the message; there is no HTML page to fall back to.
        return JsonResponse(form.errors, status=400)

    def form_valid(self, form):
        # The editor asks the author for the description and caption, then writes the Markdown.
        url = form.save()
        return JsonResponse({"url": url, "image_code": f"![]({url})"})

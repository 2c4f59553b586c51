from django import forms
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse

from articles.rendering import WORDS_PER_MINUTE


class EditorWidget(forms.Textarea):
    """The writing desk: Markdown beside a preview styled by the site's own stylesheet.

    Toolbar, shortcuts, word count, image upload with a description, autosave in the browser:
    all in articles/admin/editor.js, our own script, no third-party host.
    """

    template_name = "articles/admin/editor_widget.html"

    class Media:
        css = {"all": ["articles/admin/editor.css"]}
        js = ["articles/admin/editor.js"]

    def __init__(self, attrs=None):
        super().__init__({"rows": 24, "spellcheck": "true", **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # modeltranslation names a language's field body_en, body_ru…
        language = name.rpartition("_")[2]
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        context["widget"]["attrs"].setdefault("lang", language)
        context["desk"] = {
            "language": language,
            "preview_url": reverse("markdownx_markdownify"),
            "upload_url": reverse("markdownx_upload"),
            "stylesheet": static("css/site.css"),
            "words_per_minute": WORDS_PER_MINUTE,
        }
        return context

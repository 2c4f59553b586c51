import smtplib
from datetime import timedelta
from itertools import groupby

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language, gettext, ngettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField
from modeltranslation.admin import TabbedTranslationAdmin
from modeltranslation.utils import build_localized_fieldname as localized
from reversion.admin import VersionAdmin

from articles.admin_filters import StateFilter, TranslationFilter
from articles.forms import LanguagesField, ScheduleForm
from articles.models import Article, Author, Redirect, Tag
from articles.policy import ArticlePolicy
from articles.preview import preview_url
from articles.widgets import EditorWidget
from sitewide.images import CheckedImageField
from sitewide.invitations import ROLES, InvitationForm
from sitewide.languages import current_language, in_every_language

UPCOMING_WEEKS = 6
DIFF_CLASSES = {"+": "added", "-": "removed", "@": "hunk"}
SUBMIT_FOR_REVIEW = "_submit_for_review"

# Every image field in these forms is checked by content, with our messages.
IMAGE_FIELDS = {models.ImageField: {"form_class": CheckedImageField}}


PUBLISH_CHANGES = "_publish_changes"
DISCARD_CHANGES = "_discard_changes"


def proposed(article, form):
    """The form's changes to an author's live article, as values to keep aside."""
    changes = {}
    for name in form.changed_data:
        if name not in Article.proposable_fields():
            continue
        value = form.cleaned_data[name]
        if name == "cover_image":
            field = Article._meta.get_field(name)
            # A new cover is stored now, under its own name; the live one stays in place.
            value = (
                field.storage.save(field.generate_filename(article, value.name), value)
                if (value)
                else ""
            )
        changes[name] = value
    return changes


def field_label(name):
    field = Article._meta.get_field(name)
    return str(field.verbose_name).capitalize()


@admin.register(Author)
class AuthorAdmin(TabbedTranslationAdmin):
    list_display = ["name", "slug", "user"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    formfield_overrides = IMAGE_FIELDS
    change_list_template = "admin/articles/author/change_list.html"

    def has_invite_permission(self, request):
        # An invitation makes a login: it takes the right to add users as well as authors.
        return request.user.has_perms(["auth.add_user", "articles.add_author"])

    def get_urls(self):
        invite = self.admin_site.admin_view(self.invite_view)
        return [path("invite/", invite, name="articles_author_invite"), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {"may_invite": self.has_invite_permission(request), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def invite_view(self, request):
        if not self.has_invite_permission(request):
            raise PermissionDenied
        role = request.GET.get("role")
        form = InvitationForm(
            request.POST or None, initial={"role": role if role in ROLES else "author"}
        )
        if form.is_valid():
            try:
                user = form.save()
            except (OSError, smtplib.SMTPException):
                failed = gettext("The email could not be sent, so no account was made. Try again.")
                form.add_error(None, failed)
            else:
                self.log_addition(request, user.author, gettext("Invited by email."))
                self.message_user(
                    request,
                    gettext("Invitation sent to %(email)s: they choose a password from the link.")
                    % {"email": user.email},
                    messages.SUCCESS,
                )
                return redirect("admin:articles_author_changelist")
        title = _("Invite an editor") if form["role"].value() == "editor" else _("Invite an author")
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "form": form,
        }
        return TemplateResponse(request, "admin/articles/author/invite.html", context)


@admin.register(Tag)
class TagAdmin(TabbedTranslationAdmin):
    list_display = ["name", "slug"]
    search_fields = in_every_language("name")

    def get_prepopulated_fields(self, request, obj=None):
        # From the name in the admin's language, the tab that opens first (Cyrillic → Latin).
        return {"slug": [localized("name", current_language())]}


@admin.register(Redirect)
class RedirectAdmin(admin.ModelAdmin):
    """Every redirect in one list: articles' old slugs (kept on rename) and imported addresses."""

    list_display = ["address", "kind", "article", "slug", "language", "created_at"]
    list_filter = ["kind", "language", ("old_slug", admin.EmptyFieldListFilter)]
    search_fields = [
        "path", "old_slug", "slug", "article__slug",
        *[f"article__{field}" for field in in_every_language("title")],
    ]  # fmt: skip
    list_select_related = ["article"]
    autocomplete_fields = ["article"]
    fields = ["old_slug", "path", "language", "kind", "article", "slug", "first_item"]

    @admin.display(description=_("old address"), ordering="path")
    def address(self, obj):
        return str(obj)


@admin.register(Article)
class ArticleAdmin(VersionAdmin, TabbedTranslationAdmin):
    list_display = ["title", "author", "state_badge", "published_at", "translation_state"]
    list_filter = [StateFilter, "author", "tags", TranslationFilter]
    search_fields = [*in_every_language("title", "summary"), "slug"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["author"]
    filter_horizontal = ["tags"]
    list_select_related = ["author"]
    actions = [
        "publish_now",
        "schedule",
        "unpublish",
        "revoke_preview_links",
        "mark_translation_current",
    ]
    change_list_template = "admin/articles/article/change_list.html"
    # A plain form field: markdownx's own would swap our editor back for its widget. (So this
    # admin is not a MarkdownxModelAdmin: all that class adds is the override replaced here.)
    formfield_overrides = {
        MarkdownxField: {"form_class": forms.CharField, "widget": EditorWidget},
        **IMAGE_FIELDS,
    }
    history_latest_first = True
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "body"]}),
        (_("Cover"), {"fields": ["cover_image", "cover_alt"]}),
        (_("Publishing"), {"fields": ["author", "tags", "status", "published_at", "preview_link"]}),
        (_("Translation"), {"fields": ["hidden_languages", "english_diff"]}),
    ]

    class Media:
        css = {"all": ["articles/admin/editorial.css"]}
        js = ["articles/admin/editor.js"]

    def view_on_site(self, article):
        # An unpublished article has no public page yet: its signed preview is what exists.
        if article.is_live:
            return article.get_absolute_url()
        return preview_url(article, get_language())

    # Who may do what is decided in articles.policy; Django's checks come first, then the policy.

    def policy(self, request):
        if not hasattr(request, "article_policy"):
            request.article_policy = ArticlePolicy(request.user)
        return request.article_policy

    def has_publish_permission(self, request):
        return self.policy(request).publishes

    def get_queryset(self, request):
        return self.policy(request).visible(super().get_queryset(request))

    def has_add_permission(self, request):
        return super().has_add_permission(request) and self.policy(request).may_add()

    def changelist_view(self, request, extra_context=None):
        if self.lacks_author_profile(request) and request.method == "GET":
            # Without this the Add button is simply missing, with no word why.
            messages.warning(
                request,
                gettext(
                    "You cannot add articles yet: your account is not linked to an author "
                    "profile. Ask an administrator to choose your account as the user of an "
                    "author (Authors → the author → user), or to invite you again."
                ),
            )
        return super().changelist_view(request, extra_context)

    def lacks_author_profile(self, request):
        """Allowed to add articles by the group, but with no author to write as."""
        return super().has_add_permission(request) and not self.policy(request).may_add()

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.policy(request).may_view(obj)

    def proposes_changes(self, request, obj):
        return self.policy(request).proposes_changes(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.policy(request).may_change(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.policy(request).may_edit(obj)

    def get_readonly_fields(self, request, obj=None):
        if self.has_publish_permission(request):
            return ["preview_link", "english_diff", "waiting_changes"]
        if self.proposes_changes(request, obj):
            proposable = set(Article.proposable_fields())
            fixed = [
                name
                for name in flatten_fieldsets(super().get_fieldsets(request, obj))
                if name not in proposable and not any(name == f[: f.rfind("_")] for f in proposable)
            ]
            return [*fixed, "preview_link", "english_diff", "waiting_changes"]
        return ["author", "published_at", "preview_link", "english_diff", "waiting_changes"]

    def get_prepopulated_fields(self, request, obj=None):
        # A live article keeps its address; the slug is not the author's to change there.
        if self.proposes_changes(request, obj):
            return {}
        # The slug follows the title in the language the author writes in (Django's URLify
        # transliterates a Russian title to Latin); it stays editable.
        return {"slug": [localized("title", self.writing_language(request, obj))]}

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and obj.pending_changes and self.has_publish_permission(request):
            return [(_("Changes waiting"), {"fields": ["waiting_changes"]}), *fieldsets]
        return fieldsets

    def get_object(self, request, object_id, from_field=None):
        article = super().get_object(request, object_id, from_field)
        if self.proposes_changes(request, article):
            # The author goes on from their waiting edit, not from the live text.
            article.show_pending_changes()
        return article

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST" and {PUBLISH_CHANGES, DISCARD_CHANGES} & set(request.POST):
            return self.decide_on_changes(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def decide_on_changes(self, request, object_id):
        article = self.get_object(request, unquote(object_id))
        if article is None or not self.has_publish_permission(request):
            raise PermissionDenied
        if PUBLISH_CHANGES in request.POST and article.publish_pending_changes():
            self.log_change(request, article, gettext("Published the author's waiting changes."))
            self.message_user(request, gettext("The waiting changes are live."), messages.SUCCESS)
        elif DISCARD_CHANGES in request.POST and article.pending_changes:
            article.discard_pending_changes()
            self.log_change(request, article, gettext("Discarded the author's waiting changes."))
            self.message_user(request, gettext("The waiting changes were discarded."))
        return redirect(reverse("admin:articles_article_change", args=[article.pk]))

    @admin.display(description=_("changes waiting"))
    def waiting_changes(self, article):
        if not article.pending_changes:
            return "—"
        who = (
            article.pending_by.get_full_name() or article.pending_by.email
            if (article.pending_by)
            else "—"
        )
        since = formats.date_format(timezone.localtime(article.pending_since), "DATETIME_FORMAT")
        return format_html(
            "<p>{}</p>{}",
            gettext(
                "%(who)s changed this live article on %(since)s. Readers see the published "
                "text until you publish these changes."
            )
            % {"who": who, "since": since},
            format_html_join(
                "",
                '<h4>{}</h4><pre class="english-diff">{}</pre>',
                (
                    (
                        field_label(field),
                        format_html_join(
                            "",
                            '<span class="diff-{}">{}</span>\n',
                            ((DIFF_CLASSES.get(line[:1], "same"), line) for line in lines),
                        ),
                    )
                    for field, lines in article.pending_diff()
                ),
            ),
        )

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        policy = self.policy(request)
        if db_field.name == "status" and not policy.publishes:
            kwargs["choices"] = [
                (value, label)
                for value, label in Article.Status.choices
                if policy.may_set_status(value)
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        author = self.policy(request).author
        if author is not None:
            initial.setdefault("author", author.pk)
        return initial

    def writing_language(self, request, article=None):
        """The language the desk opens in: an article's only language, else its author's
        (their profile), else the admin's."""
        if article is not None and len(article.languages) == 1:
            return article.languages[0]
        author = article.author if article is not None else self.policy(request).author
        if author is not None and author.language:
            return author.language
        return current_language()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["writing_language"] = self.writing_language(request, obj)
        context["show_submit_for_review"] = context.get("has_change_permission", True) and (
            obj is None or obj.status == Article.Status.DRAFT
        )
        context["show_change_decision"] = bool(
            obj is not None and obj.pending_changes and self.has_publish_permission(request)
        )
        if self.proposes_changes(request, obj):
            messages.info(
                request,
                gettext(
                    "This article is live. What you save here waits for an editor; readers "
                    "see the published text until an editor publishes your changes."
                ),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_change(self, request, obj):
        if getattr(request, "changes_proposed", False):
            self.message_user(
                request,
                gettext("Your changes are saved and wait for an editor."),
                messages.SUCCESS,
            )
            return redirect(reverse("admin:articles_article_change", args=[obj.pk]))
        return super().response_change(request, obj)

    def save_form(self, request, form, change):
        article = super().save_form(request, form, change)
        if SUBMIT_FOR_REVIEW in request.POST and article.status == Article.Status.DRAFT:
            article.status = Article.Status.REVIEW
            form.changed_data.append("status")
        return article

    def save_model(self, request, obj, form, change):
        if self.proposes_changes(request, obj):
            obj.propose_changes(proposed(obj, form), request.user)
            request.changes_proposed = True
            return
        if not change and not self.has_publish_permission(request):
            obj.author = self.policy(request).author
        super().save_model(request, obj, form, change)
        languages = dict(settings.LANGUAGES)
        for language, warnings in getattr(obj, "render_warnings", {}).items():
            for warning in warnings:
                messages.warning(
                    request,
                    gettext("Body (%(language)s), not shown on the page: %(warning)s")
                    % {"language": languages[language], "warning": warning},
                )
        if SUBMIT_FOR_REVIEW in request.POST:
            messages.info(request, gettext("Submitted for review: an editor will schedule it."))

    # reversion checks model permissions only; these views must also respect ownership.

    def revision_view(self, request, object_id, version_id, extra_context=None):
        article = self.get_object(request, unquote(object_id))
        if article is None or not self.has_change_permission(request, article):
            raise PermissionDenied
        return super().revision_view(request, object_id, version_id, extra_context)

    def recoverlist_view(self, request, extra_context=None):
        if not self.has_publish_permission(request):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if not self.has_publish_permission(request):
            raise PermissionDenied
        return super().recover_view(request, version_id, extra_context)

    # Columns.

    @admin.display(description=_("state"), ordering="status")
    def state_badge(self, article):
        state = article.state
        badge = format_html('<span class="state-badge state-{}">{}</span>', state, state.label)
        if article.pending_since:
            waiting = gettext("changes waiting")
            badge = format_html(
                '{} <span class="state-badge state-review">{}</span>', badge, waiting
            )
        return badge

    @admin.display(description=_("translations"))
    def translation_state(self, article):
        state = format_html_join(
            " · ",
            '<span class="translation translation-{}" title="{}">{} {}</span>',
            (
                (
                    "done" if done else "missing",
                    gettext("translated") if done else gettext("not translated"),
                    code.upper(),
                    "✓" if done else "✗",
                )
                for code, done in article.translations
            ),
        )
        if article.translation_behind_since:
            since = formats.date_format(timezone.localtime(article.translation_behind_since))
            behind = gettext("Translations behind the English since %(date)s") % {"date": since}
            state = format_html(
                '{} <span class="translation translation-behind">{}</span>', state, behind
            )
        return state

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "hidden_languages":
            return LanguagesField(
                label=db_field.verbose_name, help_text=db_field.help_text, required=False
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("English changes since the translation"))
    def english_diff(self, article):
        if not article.is_in_two_languages():
            # Drift exists only between languages that exist.
            return gettext("Written in one language: there is no translation to follow.")
        if not article.translation_behind_since:
            return gettext("The translations follow the current English text.")
        lines = article.english_changes().splitlines()
        return format_html(
            '<p>{}</p><pre class="english-diff">{}</pre>',
            gettext("Update the translations and save, or mark them as up to date."),
            format_html_join(
                "",
                '<span class="diff-{}">{}</span>\n',
                ((DIFF_CLASSES.get(line[:1], "same"), line) for line in lines),
            ),
        )

    @admin.action(permissions=["change"], description=_("Mark translations as up to date"))
    def mark_translation_current(self, request, queryset):
        def mark(article):
            if not self.has_change_permission(request, article):
                return False
            article.mark_translation_current()
            article.save(update_fields=["translation_source", "translation_behind_since"])
            return True

        self.act_on_each(
            request,
            queryset.filter(translation_behind_since__isnull=False),
            mark,
            gettext("Translation marked as up to date."),
            ngettext_lazy(
                "Marked %(count)d translation as up to date.",
                "Marked %(count)d translations as up to date.",
                "count",
            ),
        )

    @admin.display(description=_("Preview link"))
    def preview_link(self, article):
        if article.pk is None:
            return gettext("Save the article to get a link you can share before it is published.")
        if article.is_live:
            return format_html(
                '<a href="{}" target="_blank" rel="noopener">{}</a>',
                article.get_absolute_url(),
                gettext("The article is live: open the public page."),
            )
        links = format_html_join(
            "",
            '<p class="preview-link"><input type="text" readonly value="{}" size="60" '
            'aria-label="{}"> <a href="{}" target="_blank" rel="noopener">{}</a></p>',
            (
                (url, code.upper(), url, gettext("Open"))
                for code, _name in settings.LANGUAGES
                for url in [preview_url(article, code)]
            ),
        )
        days = settings.PREVIEW_LINK_MAX_AGE_DAYS
        note = ngettext(
            "Anyone with this link can read the article for %(days)d day, without logging in.",
            "Anyone with this link can read the article for %(days)d days, without logging in.",
            days,
        ) % {"days": days}
        return format_html('{}<p class="help">{}</p>', links, note)

    # Actions: each written to the article's history, and counted in one message.

    def act_on_each(self, request, articles, change, history, summary, **params):
        """Do `change(article)` to each article; log those it changed, then say how many.

        `summary` is an ngettext_lazy message counting "count"; `params` fill its other
        placeholders. Returns how many were changed and how many were left as they were.
        """
        done = left = 0
        for article in articles:
            if change(article):
                self.log_change(request, article, history)
                done += 1
            else:
                left += 1
        self.message_user(request, summary % {"count": done, **params}, messages.SUCCESS)
        return done, left

    @admin.action(permissions=["publish"], description=_("Publish now"))
    def publish_now(self, request, queryset):
        self.act_on_each(
            request,
            queryset,
            Article.publish,
            gettext("Published now."),
            ngettext_lazy("Published %(count)d article.", "Published %(count)d articles.", "count"),
        )

    @admin.action(permissions=["publish"], description=_("Schedule…"))
    def schedule(self, request, queryset):
        form = ScheduleForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            moment = form.cleaned_data["publish_at"]
            when = {
                "when": formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT"),
                "zone": timezone.get_current_timezone_name(),
            }
            _scheduled, skipped = self.act_on_each(
                request,
                queryset,
                lambda article: article.publish(at=moment),
                gettext("Scheduled for %(when)s (%(zone)s).") % when,
                # The zone in brackets also keeps "p.m." from ending in a double full stop.
                ngettext_lazy(
                    "Scheduled %(count)d article for %(when)s (%(zone)s).",
                    "Scheduled %(count)d articles for %(when)s (%(zone)s).",
                    "count",
                ),
                **when,
            )
            if skipped:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d article is already live and was left alone; "
                        "unpublish it first to schedule it again.",
                        "%(count)d articles are already live and were left alone; "
                        "unpublish them first to schedule them again.",
                        skipped,
                    )
                    % {"count": skipped},
                    messages.WARNING,
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Schedule articles"),
            "opts": self.model._meta,
            "form": form,
            "articles": queryset.select_related("author"),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/articles/article/schedule.html", context)

    @admin.action(permissions=["publish"], description=_("Unpublish"))
    def unpublish(self, request, queryset):
        self.act_on_each(
            request,
            queryset,
            Article.unpublish,
            gettext("Unpublished: back to draft."),
            ngettext_lazy(
                "Unpublished %(count)d article.", "Unpublished %(count)d articles.", "count"
            ),
        )

    @admin.action(permissions=["publish"], description=_("Revoke preview links"))
    def revoke_preview_links(self, request, queryset):
        self.act_on_each(
            request,
            queryset,
            Article.revoke_preview_links,
            gettext("Preview links revoked."),
            ngettext_lazy(
                "Every preview link to %(count)d article stopped working; "
                "the article page has a new one.",
                "Every preview link to %(count)d articles stopped working; "
                "each article page has a new one.",
                "count",
            ),
        )

    # The publishing calendar.

    def get_urls(self):
        upcoming = self.admin_site.admin_view(self.upcoming_view)
        return [path("upcoming/", upcoming, name="articles_article_upcoming"), *super().get_urls()]

    def upcoming_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        until = timezone.now() + timedelta(weeks=UPCOMING_WEEKS)
        scheduled = (
            self.get_queryset(request)
            .scheduled()
            .filter(published_at__lte=until)
            .select_related("author")
            .order_by("published_at", "pk")
        )
        days = [
            (day, list(articles))
            for day, articles in groupby(
                scheduled, key=lambda article: timezone.localtime(article.published_at).date()
            )
        ]
        in_review = self.get_queryset(request).filter(status=Article.Status.REVIEW)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Upcoming articles"),
            "opts": self.model._meta,
            "days": days,
            "weeks": UPCOMING_WEEKS,
            "in_review": in_review.select_related("author").order_by("updated_at"),
            "time_zone": timezone.get_current_timezone_name(),
            "media": self.media,
        }
        return TemplateResponse(request, "admin/articles/article/upcoming.html", context)

import csv
from datetime import timedelta

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin
from modeltranslation.utils import build_localized_fieldname

from articles.models import Article
from newsletter.emails import issue_message
from newsletter.forms import SubscriberImportForm
from newsletter.imports import UnreadableExportError, import_subscribers
from newsletter.models import Delivery, Issue, Subscriber, refresh_confirmed_count
from newsletter.tasks import send_confirmation
from sitewide.languages import edition_names, in_every_language

CSV_COLUMNS = [
    "email",
    "status",
    "language",
    "consent_at",
    "consent_page",
    "consent_language",
    "consent_wording",
    "consent_ip",
    "confirmed_at",
    "unsubscribed_at",
    "suppressed_at",
    "suppressed_reason",
]


FIRST_ISSUE_LOOKBACK = timedelta(days=7)
SEND_BUTTONS = {"_schedule", "_send_now"}


def csv_safe(value):
    # A cell starting with = + - @ is a formula to a spreadsheet: keep it text.
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in {"=", "+", "-", "@"} else text


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "status", "language", "consent_at", "confirmed_at"]
    list_filter = ["status", "language", "consent_wording"]
    search_fields = ["email"]
    date_hierarchy = "consent_at"
    delivery_fields = [
        "suppressed_at",
        "suppressed_reason",
        "soft_bounces",
        "confirmation_sent_at",
    ]
    fields = [
        "email",
        "status",
        "language",
        *CSV_COLUMNS[3:9],
        *delivery_fields,
        "created_at",
        "updated_at",
    ]
    readonly_fields = [*CSV_COLUMNS[3:9], *delivery_fields, "created_at", "updated_at"]
    actions = ["export_csv"]
    change_list_template = "admin/newsletter/subscriber/change_list.html"

    def get_urls(self):
        bring = path(
            "import/",
            self.admin_site.admin_view(self.import_view),
            name="newsletter_subscriber_import",
        )
        return [bring, *super().get_urls()]

    def has_import_permission(self, request):
        return request.user.has_perm("newsletter.import_subscribers")

    def changelist_view(self, request, extra_context=None):
        context = {"can_import": self.has_import_permission(request), **(extra_context or {})}
        return super().changelist_view(request, context)

    def import_view(self, request):
        """Readers from another service's CSV export (newsletter/imports.py)."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = SubscriberImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report, pending = import_subscribers(
                    upload.read(),
                    form.cleaned_data["language"],
                    form.cleaned_data["consent"] == SubscriberImportForm.KEEP,
                    upload.name,
                )
            except UnreadableExportError as error:
                form.add_error("file", str(error))
            else:
                transaction.on_commit(
                    lambda: [send_confirmation.enqueue(reader.pk) for reader in pending]
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Import subscribers"),
            "form": form,
            "report": report,
        }
        return TemplateResponse(request, "admin/newsletter/subscriber/import.html", context)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        refresh_confirmed_count()

    @admin.action(description=_("Export selected subscribers as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="subscribers.csv"'
        writer = csv.writer(response)
        writer.writerow(CSV_COLUMNS)
        for row in queryset.order_by("pk").values_list(*CSV_COLUMNS).iterator():
            writer.writerow([csv_safe(value) for value in row])
        return response


def sample_reader(request, language):
    """An unsaved subscriber standing in for a reader: previews and tests reach nobody else."""
    return Subscriber(email=request.user.email or "reader@example.com", language=language)


@admin.register(Issue)
class IssueAdmin(TabbedTranslationAdmin):
    list_display = ["subject", "status", "scheduled_at", "sent_at", "sent_count", "failed_count"]
    list_filter = ["status"]
    search_fields = in_every_language("subject")
    filter_horizontal = ["articles"]
    change_form_template = "admin/newsletter/issue/change_form.html"
    always_readonly = ["status", "progress", "previews"]
    fieldsets = [
        (None, {"fields": ["subject", "intro", "articles"]}),
        (_("Sending"), {"fields": ["scheduled_at", "status", "progress", "previews"]}),
    ]

    def has_change_permission(self, request, obj=None):
        # A sending or sent issue is a record of what went out: shown, never edited.
        if obj is not None and not obj.is_editable:
            return False
        return super().has_change_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            # The send time it went out at, not the field (and its hint) for scheduling.
            return [
                (None, {"fields": ["subject", "intro", "articles"]}),
                (_("Sending"), {"fields": ["sent_at", "status", "progress", "previews"]}),
            ]
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            translated = [
                build_localized_fieldname(field, language)
                for field in ("subject", "intro")
                for language, _name in settings.LANGUAGES
            ]
            return [*translated, "articles", "sent_at", *self.always_readonly]
        return self.always_readonly

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "articles":
            kwargs["queryset"] = Article.objects.live()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        last = Issue.objects.last_sent()
        # Before the first issue, the past week's articles rather than the whole archive.
        since = last.sent_at if last is not None else timezone.now() - FIRST_ISSUE_LOOKBACK
        articles = Article.objects.live().filter(published_at__gt=since)
        initial.setdefault("articles", list(articles.values_list("pk", flat=True)))
        return initial

    @admin.display(description=_("progress"))
    def progress(self, issue):
        """Each state's count, linked to those readers in the deliveries list."""
        if issue.pk is None or issue.status in {Issue.Status.DRAFT, Issue.Status.SCHEDULED}:
            return "—"
        counts = issue.progress()
        always = [Delivery.Status.SENT, Delivery.Status.PENDING, Delivery.Status.FAILED]
        listed = reverse("admin:newsletter_delivery_changelist")
        parts = [
            (f"{listed}?issue__id__exact={issue.pk}&status__exact={status}", label, counts[status])
            for status, label in Delivery.Status.choices
            if status in always or counts[status]
        ]
        lines = [format_html_join(" · ", '<a href="{}">{}: {}</a>', parts)]
        if counts[Delivery.Status.UNKNOWN]:
            lines.append(
                format_html(
                    "<p>{}</p>",
                    ngettext(
                        "%(count)d message was sent to its end, but the mail server's answer "
                        "never came (a worker stopped or the line broke): it may or may not "
                        "have arrived. It was not sent again, so that nobody gets a second copy.",
                        "%(count)d messages were sent to their end, but the mail server's "
                        "answer never came (a worker stopped or the line broke): each may or "
                        "may not have arrived. They were not sent again, so that nobody gets a "
                        "second copy.",
                        counts[Delivery.Status.UNKNOWN],
                    )
                    % {"count": counts[Delivery.Status.UNKNOWN]},
                )
            )
        if issue.outage_since and issue.status == Issue.Status.SENDING:
            lines.append(
                format_html(
                    "<p>{}</p>",
                    gettext(
                        "The mail server cannot be reached since %(since)s (%(error)s). "
                        "Next attempt: %(next)s; it keeps trying by itself."
                    )
                    % {
                        "since": date_format(
                            timezone.localtime(issue.outage_since), "DATETIME_FORMAT"
                        ),
                        "error": issue.outage_error,
                        "next": date_format(
                            timezone.localtime(issue.outage_retry_at), "DATETIME_FORMAT"
                        )
                        if issue.outage_retry_at
                        else "—",
                    },
                )
            )
        return format_html_join("", "{}", ((line,) for line in lines))

    @admin.display(description=_("preview"))
    def previews(self, issue):
        if issue.pk is None:
            return gettext("Save the issue to preview its email.")
        links = [
            (
                reverse("admin:newsletter_issue_preview", args=[issue.pk, language, kind]),
                f"{label} · {kind_label}",
            )
            for language, label in edition_names()
            for kind, kind_label in (("html", "HTML"), ("text", gettext("plain text")))
        ]
        return format_html_join(" · ", '<a href="{}" target="_blank">{}</a>', links)

    def get_urls(self):
        preview = path(
            "<path:object_id>/preview/<str:language>/<str:kind>/",
            self.admin_site.admin_view(self.preview_view),
            name="newsletter_issue_preview",
        )
        return [preview, *super().get_urls()]

    def preview_view(self, request, object_id, language, kind):
        issue = get_object_or_404(Issue, pk=object_id)
        if not self.has_view_permission(request, issue):
            raise PermissionDenied
        if language not in dict(settings.LANGUAGES) or kind not in {"html", "text"}:
            return HttpResponse(status=404)
        message = issue_message(issue, sample_reader(request, language))
        if kind == "text":
            return HttpResponse(message.body, content_type="text/plain; charset=utf-8")
        return HttpResponse(message.alternatives[0].content)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A scheduled issue moved to another time goes out then; moved to no time, or to one
        # already past, it goes back to draft rather than out at once by a slip of the date.
        moved = obj.status == Issue.Status.SCHEDULED and "scheduled_at" in form.changed_data
        if moved and not SEND_BUTTONS & set(request.POST) and not obj.schedule():
            obj.cancel()
            self.message_user(
                request,
                gettext("Back to draft: set a send time in the future to schedule it again."),
                messages.WARNING,
            )

    def response_add(self, request, obj, post_url_continue=None):
        return self._send_buttons(request, obj) or super().response_add(
            request, obj, post_url_continue
        )

    def response_change(self, request, obj):
        return self._send_buttons(request, obj) or super().response_change(request, obj)

    def has_send_permission(self, request):
        return request.user.has_perm("newsletter.send_issue")

    def render_change_form(self, request, context, *args, **kwargs):
        context["can_send"] = self.has_send_permission(request)
        return super().render_change_form(request, context, *args, **kwargs)

    def _send_buttons(self, request, issue):
        """The extra submit buttons of the change form; None when none was pressed."""
        here = HttpResponseRedirect(reverse("admin:newsletter_issue_change", args=[issue.pk]))
        if "_send_test" in request.POST:
            self._send_test(request, issue)
            return here
        if not issue.is_editable or not SEND_BUTTONS & set(request.POST):
            return None
        if not self.has_send_permission(request):
            raise PermissionDenied
        if "_send_now" in request.POST:
            issue.send_now()
            self.message_user(request, gettext("Sending has started."), messages.SUCCESS)
        elif issue.schedule():
            when = timezone.localtime(issue.scheduled_at).strftime("%Y-%m-%d %H:%M %Z")
            self.message_user(
                request, gettext("Scheduled for %(when)s.") % {"when": when}, messages.SUCCESS
            )
        else:
            issue.cancel()
            self.message_user(
                request, gettext("Set a send time in the future to schedule."), messages.ERROR
            )
        return here

    def _send_test(self, request, issue):
        if not request.user.email:
            self.message_user(
                request, gettext("Add an email address to your user first."), messages.ERROR
            )
            return
        for language, _name in settings.LANGUAGES:
            issue_message(issue, sample_reader(request, language)).send()
        self.message_user(
            request,
            gettext("Sent a test in every edition (%(languages)s) to %(email)s.")
            % {
                "languages": ", ".join(name for _code, name in edition_names()),
                "email": request.user.email,
            },
            messages.SUCCESS,
        )


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Per-reader state of every sending; filtered by issue and state from the issue page."""

    list_display = [
        "subscriber",
        "issue",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "reason",
    ]
    list_filter = ["status", "issue"]
    list_select_related = ["subscriber", "issue"]
    search_fields = ["subscriber__email"]
    list_per_page = 100
    readonly_fields = [
        "issue",
        "subscriber",
        "status",
        "reason",
        "attempts",
        "first_failed_at",
        "next_attempt_at",
        "sent_at",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("reason"))
    def reason(self, delivery):
        if delivery.status == Delivery.Status.UNKNOWN:
            return gettext(
                "The message was sent to its end, but the mail server's answer never came "
                "(the worker stopped or the line broke): it may or may not have arrived. Not "
                "sent again, so that nobody gets a second copy."
            )
        return delivery.error

    def has_change_permission(self, request, obj=None):
        return False

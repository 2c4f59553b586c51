from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from federation.models import (
    Activity,
    Actor,
    Block,
    Delivery,
    Follower,
    Reaction,
    Reply,
    fragments_changed,
)


@admin.register(Actor)
class ActorAdmin(admin.ModelAdmin):
    list_display = ["handle", "language", "actor_type", "object_type", "follower_count"]
    fields = ["username", "language", "actor_type", "object_type", "summary", "avatar", "header"]
    readonly_fields = ["language"]

    def get_queryset(self, request):
        Actor.objects.ensure()
        return super().get_queryset(request).annotate(follower_total=Count("followers"))

    @admin.display(description=_("followers"), ordering="follower_total")
    def follower_count(self, actor):
        return actor.follower_total

    def has_delete_permission(self, request, obj=None):
        # An edition's account is made again with new keys by the next visit here; its
        # followers' servers would refuse what it signs. Its profile is edited, not deleted.
        return False

    def has_add_permission(self, request):
        return False  # one per site language, made by the site itself


@admin.register(Follower)
class FollowerAdmin(admin.ModelAdmin):
    list_display = ["remote", "actor", "created_at"]
    list_filter = ["actor"]
    search_fields = ["remote__uri", "remote__username", "remote__domain"]
    readonly_fields = ["actor", "remote", "follow_id", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Reply)
class ReplyAdmin(admin.ModelAdmin):
    list_display = ["author_handle", "article", "status", "published_at"]
    list_filter = ["status"]
    search_fields = ["author_handle", "content"]
    readonly_fields = [
        "article", "object_uri", "url", "author_uri", "author_handle", "author_name",
        "content", "language", "published_at", "received_at", "domain",
    ]  # fmt: skip
    actions = ["approve", "reject", "block_authors"]

    def has_add_permission(self, request):
        return False

    # The admin's own ways of changing what pages show (the form's status, "delete selected",
    # the delete page) invalidate the article's pages like the actions below.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "status" in form.changed_data:
            fragments_changed([obj.article_id])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        fragments_changed([obj.article_id])

    def delete_queryset(self, request, queryset):
        shown_on = set(queryset.values_list("article_id", flat=True))
        super().delete_queryset(request, queryset)
        fragments_changed(shown_on)

    @admin.action(description=_("Approve: show under the article"))
    def approve(self, request, queryset):
        shown_on = set(queryset.values_list("article_id", flat=True))
        count = queryset.update(status=Reply.Status.APPROVED)
        fragments_changed(shown_on)
        self.message_user(
            request, ngettext("%d reply approved.", "%d replies approved.", count) % count
        )

    @admin.action(description=_("Reject: keep it off the site"))
    def reject(self, request, queryset):
        shown_on = set(queryset.values_list("article_id", flat=True))
        count = queryset.update(status=Reply.Status.REJECTED)
        fragments_changed(shown_on)
        self.message_user(
            request, ngettext("%d reply rejected.", "%d replies rejected.", count) % count
        )

    @admin.action(description=_("Block the authors (removes their follows and replies)"))
    def block_authors(self, request, queryset):
        authors = set(queryset.values_list("author_uri", flat=True))
        for uri in authors:
            # A new block removes the authors' replies from their pages (Block.remove_traces).
            Block.objects.get_or_create(actor_uri=uri)
        self.message_user(request, _("Blocked."), messages.SUCCESS)


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ["__str__", "reason", "created_at"]
    search_fields = ["domain", "actor_uri"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)


class DeliveryInline(admin.TabularInline):
    model = Delivery
    fields = ["inbox", "status", "attempts", "next_attempt_at", "error", "sent_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    max_num = 0


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["kind", "actor", "article_pk", "created_at", "delivered"]
    list_filter = ["kind", "actor"]
    readonly_fields = ["actor", "kind", "article_pk", "payload", "not_before", "created_at"]
    inlines = [DeliveryInline]

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                sent=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.SENT)),
                total=Count("deliveries"),
            )
        )

    @admin.display(description=_("delivered"))
    def delivered(self, activity):
        return f"{activity.sent} / {activity.total}"


@admin.register(Reaction)
class ReactionAdmin(admin.ModelAdmin):
    list_display = ["article", "kind", "actor_uri", "created_at"]
    list_filter = ["kind"]
    readonly_fields = ["article", "kind", "activity_id", "actor_uri", "domain", "created_at"]

    def has_add_permission(self, request):
        return False

    # Counts are read again; the pages follow when their copies are renewed, as for a like.
    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        fragments_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        fragments_changed()

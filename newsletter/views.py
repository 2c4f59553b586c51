from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from newsletter.forms import SignupForm
from newsletter.models import Subscriber, signup_context
from newsletter.origin import same_origin_only
from newsletter.signup import Refusal, client_ip, refusal
from newsletter.tasks import handle_signup
from newsletter.tokens import key_from_confirm_token, key_from_unsubscribe_token


def signup_page(request):
    return render(request, "newsletter/signup.html", {"form": SignupForm(), **signup_context()})


# No CSRF token: the form sits on cached pages shared by every reader. Cross-site posts are
# refused by origin instead.
@csrf_exempt
@same_origin_only
@require_POST
def subscribe(request):
    refused = refusal(request)
    if refused == Refusal.OVER_LIMIT:
        return render(request, "newsletter/rate_limited.html", status=429)
    if refused == Refusal.UNCOUNTED:
        response = render(request, "newsletter/signups_paused.html", status=503)
        response["Retry-After"] = "300"
        return response
    form = SignupForm(request.POST)
    if not form.is_valid():
        context = {"form": form, **signup_context()}
        return render(request, "newsletter/signup.html", context, status=400)
    # A bot in the honeypot gets the same answer as a person, and nothing is stored.
    if not form.is_bot():
        data = form.cleaned_data
        handle_signup.enqueue(data["email"], get_language(), data["page"], client_ip(request))
    return redirect("newsletter:check_inbox")


def check_inbox(request):
    return render(request, "newsletter/check_inbox.html")


def _bad_link(request):
    context = {"form": SignupForm(), **signup_context()}
    return render(request, "newsletter/bad_link.html", context, status=400)


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    key = key_from_confirm_token(token)
    # An unsubscribed reader's old link must not bring them back: they sign up again instead.
    subscriber = (
        Subscriber.objects.filter(
            key=key, status__in=[Subscriber.Status.PENDING, Subscriber.Status.CONFIRMED]
        ).first()
        if key
        else None
    )
    if subscriber is None:
        return _bad_link(request)
    # Only a POST confirms: mail scanners open every link, and must not subscribe anyone.
    if request.method == "POST":
        if subscriber.status == Subscriber.Status.PENDING:
            subscriber.status = Subscriber.Status.CONFIRMED
            subscriber.confirmed_at = timezone.now()
            subscriber.save(update_fields=["status", "confirmed_at", "updated_at"])
        return redirect("newsletter:confirmed")
    return render(request, "newsletter/confirm.html", {"subscriber": subscriber})


def confirmed(request):
    return render(request, "newsletter/confirmed.html")


# Mail clients POST `List-Unsubscribe=One-Click` here (RFC 8058) with no CSRF token;
# the signed token in the URL is what authorises the request.
@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    key = key_from_unsubscribe_token(token)
    subscriber = Subscriber.objects.filter(key=key).first() if key else None
    if subscriber is None:
        return render(request, "newsletter/bad_unsubscribe_link.html", status=400)
    done = {"form": SignupForm(), "token": token}
    # Opened again after unsubscribing: say it is done rather than ask a second time.
    if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
        return render(request, "newsletter/unsubscribed.html", done)
    if request.method == "GET":
        context = {"subscriber": subscriber, "token": token}
        return render(request, "newsletter/unsubscribe.html", context)
    subscriber.status = Subscriber.Status.UNSUBSCRIBED
    subscriber.unsubscribed_at = timezone.now()
    subscriber.save(update_fields=["status", "unsubscribed_at", "updated_at"])
    return render(request, "newsletter/unsubscribed.html", done)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe_test(request):
    # A test email's link: what a reader's would do, said without unsubscribing anybody.
    return render(request, "newsletter/unsubscribe_test.html")


# The unsubscribe link is the reader's key to their own data: it is in every email.
@never_cache
@require_GET
def my_data(request, token):
    key = key_from_unsubscribe_token(token)
    subscriber = Subscriber.objects.filter(key=key).first() if key else None
    if subscriber is None:
        return render(request, "newsletter/bad_unsubscribe_link.html", status=400)
    response = JsonResponse(
        subscriber.personal_data(), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Disposition"] = 'attachment; filename="newsletter-data.json"'
    return response

"""Cross-site posts refused without a per-reader CSRF token, so the signup form can sit on
pages that every reader shares from a cache.

Browsers say where a request comes from in headers a page cannot forge: `Sec-Fetch-Site`
(every current browser) and `Origin` (on every POST). A request with neither is not a
browser being tricked by another site; the honeypot and the rate limit deal with scripts.
"""

from functools import wraps

from django.conf import settings
from django.shortcuts import render


def is_cross_site(request):
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site not in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    own = f"{request.scheme}://{request.get_host()}"
    return origin not in (own, *settings.CSRF_TRUSTED_ORIGINS)


def same_origin_only(view):
    @wraps(view)
    def guarded(request, *args, **kwargs):
        if request.method == "POST" and is_cross_site(request):
            return render(request, "403_cross_site.html", status=403)
        return view(request, *args, **kwargs)

    return guarded

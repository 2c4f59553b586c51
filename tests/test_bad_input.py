"""Bad input gets a clear 4xx (or a page with a form error), never a 500."""

import pytest

ODD = ["x", "%00", "%ff%fe", "a" * 600, "..%2f..%2fetc", "<script>", "' OR 1=1 --", "тест", "."]


def paths():
    for odd in ODD:
        for template in [
            "/en/posts/{}/",
            "/ru/preview/{}/",
            "/en/tags/{}/",
            "/en/tags/{}/feed/",
            "/ru/authors/{}/",
            "/en/series/{}/",
            "/en/series/{}/feed/",
            "/en/archive/{}/",
            "/ru/newsletter/confirm/{}/",
            "/en/newsletter/unsubscribe/{}/",
            "/en/?page={}",
            "/ru/series/?page={}",
            "/en/search/?q={}&page={}",
            "/i18n/switch/ru/?next={}",
            "/i18n/switch/{}/",
            "/{}/",
        ]:
            yield template.replace("{}", odd)


def test_odd_addresses_never_get_a_server_error(client, demo_content):
    failures = {}
    for path in paths():
        status = client.get(path).status_code
        if status >= 500:
            failures[path] = status
    assert not failures


@pytest.mark.parametrize("token", ODD)
def test_odd_tokens_posted_to_the_newsletter_never_get_a_server_error(client, db, token):
    for action in ["confirm", "unsubscribe"]:
        response = client.post(f"/en/newsletter/{action}/{token}/", {})
        assert response.status_code < 500, (action, token)
    response = client.post(
        f"/en/newsletter/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code < 500


@pytest.mark.parametrize(
    "data",
    [{}, {"email": ""}, {"email": "not-an-address"}, {"email": "a@b"}, {"email": "x" * 400},
     {"email": ["a@example.org", "b@example.org"]}, {"email": "ok@example.org", "page": "x" * 900}],
)  # fmt: skip
def test_odd_signups_get_an_answer_not_a_server_error(client, db, data):
    response = client.post("/en/newsletter/subscribe/", data)
    assert response.status_code < 500

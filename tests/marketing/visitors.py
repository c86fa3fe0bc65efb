"""A visitor of the public form: GET the page, wait like a person, POST with the token it carries."""

import re
import time
from urllib.parse import urlencode

from django.test import Client
from django.urls import reverse

from marketing import spam

FORM_BODY = "application/x-www-form-urlencoded"  # what a browser sends


def form_url(campaign) -> str:
    return reverse("marketing:capture-form", args=[campaign.utm_campaign])


def token_for(campaign, *, seconds_ago: float = 10) -> str:
    """The token a page rendered `seconds_ago` carries (a person takes a while to type)."""
    return spam.make_token(campaign.pk, now=time.time() - seconds_ago)


def token_in(response) -> str:
    return re.search(rb'name="form_token" value="([^"]+)"', response.content).group(1).decode()


def submit(
    campaign,
    client: Client | None = None,
    *,
    token: str | None = None,
    path: str = "",
    forwarded_for: str = "",
    **fields,
):
    """POST the form as a browser would, with a valid token unless one is given."""
    data = {
        "email": "ada@analytical.example",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "form_token": token_for(campaign) if token is None else token,
        **fields,
    }
    client = client or Client()
    extra = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    return client.post(form_url(campaign) + path, urlencode(data), content_type=FORM_BODY, **extra)

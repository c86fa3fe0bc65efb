"""Slots: places an app's pages and forms leave for another app to fill at start-up.

Marketing and sales never name the app that joins them (docs/ARCHITECTURE.md, "Slots"): a
page that links to one of its pages, or a form that needs one of its permissions, asks its
own app's slots by name, and the joining app fills them in its AppConfig.ready. A slot left
empty is a configuration error, not a blank link.
"""

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse


class Slots:
    """The slots one app leaves: `declared` maps each name to what must fill it."""

    def __init__(self, owner: str, declared: dict[str, str]) -> None:
        self.owner = owner
        self.declared = declared
        self._filled: dict[str, str] = {}

    def fill(self, name: str, value: str) -> None:
        """Called by the joining app at start-up; ready() may run more than once in one process."""
        if name not in self.declared:
            raise ImproperlyConfigured(
                f"{self.owner} leaves no slot named {name!r}; its slots: {', '.join(self.declared)}."
            )
        self._filled[name] = value

    def filled(self, name: str) -> str:
        try:
            return self._filled[name]
        except KeyError:
            what = self.declared[name]
            raise ImproperlyConfigured(f"Nothing filled the {self.owner} slot {name!r} ({what}).") from None

    def link(self, name: str, *args) -> str:
        """The URL of the page filling the link slot `name`, for these arguments."""
        return reverse(self.filled(name), args=args)

    def permission(self, name: str) -> tuple[str, str]:
        """(app_label, codename) of the permission filling the slot `name`."""
        app_label, codename = self.filled(name).split(".", 1)
        return app_label, codename

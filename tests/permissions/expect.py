"""The vocabulary of the permission table: personas, expected answers, and one row.

A row names a URL pattern, a method, the object it is asked about and what each persona
gets. `page(...)` and `api(...)` fill in the answers a whole kind of URL shares
(anonymous visitors are sent to log in on pages and get 401 from the API; an API token is
no session, so on pages it is anonymous), so that a row only says what is particular to it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

PERSONAS = (
    "anonymous",
    "marketer",
    "rep",  # a salesperson of Inside Sales: Sam, who owns the objects the rows ask about
    "teammate",  # Sara, another salesperson of Inside Sales
    "stranger",  # Stan, a salesperson of Field Sales
    "manager",  # Mike, manager of Inside Sales
    "other_manager",  # Erin, manager of Field Sales
    "admin",
    "token",  # Sam's API token, sent as Authorization: Bearer
)
LOGGED_IN = PERSONAS[1:-1]
GROUPS = {
    "sales": ("rep", "teammate", "stranger", "manager", "other_manager"),
    "reps": ("rep", "teammate", "stranger"),
    "managers": ("manager", "other_manager"),
    "others": ("teammate", "stranger", "other_manager"),  # sales people outside Sam's scope
}
WRITES = ("POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Answer:
    """An expected response: its status, where a redirect goes, and whether data may change."""

    status: int
    to: str = ""  # a redirect's target must start with this
    unchanged: bool = False  # a 2xx/3xx that must leave the database as it was
    xfail: str = ""  # a known hole: the reason, until its fix lands

    def __repr__(self) -> str:
        text = f"{self.status}"
        if self.to:
            text += f"→{self.to}"
        return text + (" unchanged" if self.unchanged else "")

    @property
    def refused(self) -> bool:
        """A refusal of any kind: the database must stay as it was."""
        return self.unchanged or self.status >= 400 or self.to in (LOGIN.to, ADMIN_LOGIN.to)


LOGIN = Answer(302, to="/accounts/login/")
ADMIN_LOGIN = Answer(302, to="/admin/login/")


def unchanged(status: int) -> Answer:
    return Answer(status, unchanged=True)


def hole(answer: int | Answer, reason: str) -> Answer:
    """What the matrix requires where the app still answers otherwise (strict xfail)."""
    answer = answer if isinstance(answer, Answer) else Answer(answer)
    return Answer(answer.status, answer.to, answer.unchanged, xfail=reason)


def _answers(default, fixed: dict, kw: dict) -> dict[str, Answer]:
    answers = dict.fromkeys(LOGGED_IN, default) | fixed
    for group, members in GROUPS.items():
        if group in kw:
            answers |= dict.fromkeys(members, kw.pop(group))
    answers |= kw
    unknown = set(answers) - set(PERSONAS)
    assert not unknown, f"unknown personas {unknown}"
    return {persona: value if isinstance(value, Answer) else Answer(value) for persona, value in answers.items()}


def page(default, **kw) -> dict[str, Answer]:
    """A page: logged-in personas get `default` unless named; visitors and tokens log in first."""
    return _answers(default, {"anonymous": LOGIN, "token": LOGIN}, kw)


def public(default, **kw) -> dict[str, Answer]:
    """A public page: everyone, logged in or not, gets `default` unless named."""
    return _answers(default, {"anonymous": default, "token": default}, kw)


def api(default, **kw) -> dict[str, Answer]:
    """An API endpoint: anonymous callers get 401; Sam's token gets what Sam gets unless named."""
    answers = _answers(default, {"anonymous": 401}, kw)
    answers.setdefault("token", answers["rep"])
    return answers


@dataclass(frozen=True)
class Row:
    """One URL pattern and method, asked about one object, and what each persona gets."""

    name: str  # the URL pattern's name ("admin" stands for Django's admin site)
    method: str
    about: str  # the object, in words
    expect: dict[str, Answer]
    args: Callable = field(default=lambda w: [])  # world → the URL's arguments
    body: Callable | None = None  # world → the posted form or JSON
    headers: Callable | None = None  # world → extra request headers
    path: Callable | None = None  # world → the path, for patterns reverse() cannot name
    query: Callable | None = None  # world → a query string forged to reach outside one's scope

    @property
    def id(self) -> str:
        return f"{self.name} {self.method} {self.about}"

    @property
    def writes(self) -> bool:
        return self.method in WRITES


def pk(*names: str) -> Callable:
    """The URL arguments: the primary keys of these objects of the world."""
    return lambda w: [getattr(w, name).pk for name in names]

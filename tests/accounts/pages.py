"""An accounts page's POST form read as a browser reads it: what it would send as rendered."""

from dataclasses import dataclass

from bs4 import BeautifulSoup


@dataclass
class Form:
    action: str
    fields: dict[str, str]  # what the browser sends as rendered
    options: dict[str, list[tuple[str, str]]]  # a select's name → its (value, text) options
    checkboxes: dict[str, str]  # every checkbox's name → the value it sends when checked

    def data(self, *, unchecked: tuple[str, ...] = (), **changes) -> dict[str, str]:
        """What the browser sends with `changes` typed or chosen and the `unchecked` boxes cleared."""
        return {name: value for name, value in {**self.fields, **changes}.items() if name not in unchecked}

    def option(self, name: str, text: str) -> str:
        """The value of the option of select `name` that reads `text`."""
        return next(value for value, label in self.options[name] if label == text)

    def chosen(self, name: str) -> str:
        """The text of the option of select `name` the page preselects."""
        return next(label for value, label in self.options[name] if value == self.fields[name])


def post_form(html: str, button: str) -> Form:
    """The page's POST form whose submit button reads `button`."""
    soup = BeautifulSoup(html, "html.parser")
    for element in soup.select("form[method=post]"):
        submit = element.select_one("button[type=submit]")
        if submit is not None and " ".join(submit.text.split()) == button:
            return _form(element)
    raise AssertionError(f"no POST form with a {button!r} button")


def _form(element) -> Form:
    fields, options, checkboxes = {}, {}, {}
    for control in element.select("input[name], select[name]"):
        name = control["name"]
        if control.name == "select":
            options[name] = [(option["value"], " ".join(option.text.split())) for option in control("option")]
            chosen = control.select_one("option[selected]") or control.select_one("option")
            fields[name] = chosen["value"]
        elif control.get("type") == "checkbox":
            checkboxes[name] = control.get("value", "on")  # what a browser sends for a box without a value
            if control.has_attr("checked"):
                fields[name] = checkboxes[name]
        else:
            fields[name] = control.get("value", "")
    return Form(action=element.get("action") or "", fields=fields, options=options, checkboxes=checkboxes)

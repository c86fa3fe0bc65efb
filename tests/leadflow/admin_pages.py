"""A Django admin page read as a browser reads it: the change form with the values it would
send, the choices it offers, the errors it shows. Tests change what a person would change and
post the rest as rendered."""

from dataclasses import dataclass

from bs4 import BeautifulSoup


@dataclass
class AdminForm:
    url: str
    values: dict[str, list[str]]  # what the browser would send, by field name
    options: dict[str, list[tuple[str, str]]]  # a select's or checkbox group's (value, label) choices

    @property
    def fields(self) -> set[str]:
        """The names of the inputs a person can change (read-only fields render as text)."""
        return {name for name in self.values if not name.startswith(("csrf", "_"))} | set(self.options)

    def data(self, **changes) -> dict[str, list[str]]:
        """The form as rendered, saved with "Save", with `changes` typed or chosen."""
        sent = {**self.values, "_save": ["Save"]}
        for name, value in changes.items():
            if value is None:
                sent.pop(name, None)  # an unticked checkbox sends nothing
            else:
                sent[name] = [str(item) for item in value] if isinstance(value, list) else [str(value)]
        return sent

    def option(self, name: str, text: str) -> str:
        """The value of the choice of `name` whose label contains `text`."""
        found = [value for value, label in self.options[name] if text in label]
        assert len(found) == 1, f"{text!r} matches {len(found)} choices of {name}: {self.options.get(name)}"
        return found[0]


def change_form(client, url: str) -> AdminForm:
    """The admin's add or change form at `url`, as the page renders it."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    form = soup.select_one("#content-main form[method=post]")
    values: dict[str, list[str]] = {}
    options: dict[str, list[tuple[str, str]]] = {}
    for control in form.select("input[name], select[name], textarea[name]"):
        name, kind = control["name"], control.get("type", "")
        if control.name == "select":
            options[name] = [
                (option.get("value", option.text), " ".join(option.text.split())) for option in control("option")
            ]
            chosen = [option.get("value", option.text) for option in control.select("option[selected]")]
            if not chosen and not control.has_attr("multiple") and options[name]:
                chosen = [options[name][0][0]]  # a browser sends a single select's first option
            values[name] = chosen
        elif control.name == "textarea":
            values[name] = [control.text.removeprefix("\n")]
        elif kind in ("checkbox", "radio"):
            label = control.find_parent("label")
            options.setdefault(name, []).append(
                (control.get("value", "on"), " ".join(label.text.split()) if label else "")
            )
            if control.has_attr("checked"):
                values.setdefault(name, []).append(control.get("value", "on"))
        elif kind not in ("submit", "button", "reset", "file"):
            values[name] = [control.get("value", "")]
    action = form.get("action") or url
    return AdminForm(url=action, values=values, options=options)


def errors(response) -> list[str]:
    """The messages the admin shows on a refused form: above it and at each field."""
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    return [" ".join(item.text.split()) for item in soup.select("#content-main .errorlist li")]


def links(response) -> dict[str, str]:
    """The page's links by their text (the admin's "Add …", "Delete" and object links)."""
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    return {" ".join(anchor.text.split()): anchor["href"] for anchor in soup.select("#content a[href]")}

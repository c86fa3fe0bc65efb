"""A sales page read as a browser reads it: its forms with the values they would send, and the
actions shown unavailable with their reason. Tests submit what the page rendered, never a URL
or a payload built by hand.
"""

from dataclasses import dataclass

from bs4 import BeautifulSoup


@dataclass
class Form:
    action: str
    button: str
    fields: dict[str, str]
    options: dict[str, list[tuple[str, str]]]  # a select's name → its (value, text) options

    def data(self, **changes) -> dict[str, str]:
        """What the browser sends when the form is submitted as rendered, with `changes` chosen."""
        return {**self.fields, **changes}

    def option(self, name: str, text: str) -> str:
        """The value of the option of select `name` that reads `text`."""
        return next(value for value, label in self.options[name] if label == text)


def _form(element) -> Form:
    fields, options = {}, {}
    for control in element.select("input[name], select[name], textarea[name]"):
        name = control["name"]
        if control.name == "select":
            choices = [
                (option.get("value", option.text), " ".join(option.text.split())) for option in control("option")
            ]
            options[name] = choices
            chosen = control.select_one("option[selected]")
            fields[name] = chosen.get("value", chosen.text) if chosen else (choices[0][0] if choices else "")
        elif control.name == "textarea":
            fields[name] = control.text
        elif control.get("type") not in ("checkbox", "radio") or control.has_attr("checked"):
            fields[name] = control.get("value", "")
    button = element.select_one("button[type=submit], button:not([type])")
    return Form(
        action=element.get("action", ""),
        button=" ".join(button.text.split()) if button else "",
        fields=fields,
        options=options,
    )


def post_forms(html: str) -> dict[str, Form]:
    """The page's POST forms by the text of their submit button ("Move", "Mark won"…)."""
    soup = BeautifulSoup(html, "html.parser")
    forms = [_form(element) for element in soup.select("form") if element.get("method", "").lower() == "post"]
    return {form.button: form for form in forms}


def unavailable(html: str) -> dict[str, str]:
    """Buttons shown disabled, by their text, with the reason they point to (aria-describedby)."""
    soup = BeautifulSoup(html, "html.parser")
    found = {}
    for button in soup.select("button[aria-disabled=true]"):
        reason = soup.find(id=button.get("aria-describedby", ""))
        found[" ".join(button.text.split())] = " ".join(reason.text.split()) if reason else ""
    return found

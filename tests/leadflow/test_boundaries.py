"""App boundaries that import-linter cannot see (pyproject.toml holds the ones it can).

- Marketing and sales never name handoff, in templates either: links to its pages and its
  permissions come through the slots it fills (marketing/slots.py, sales/slots.py).
- No module imports another module's private (underscore) name: what a module shares gets a
  public name there, so a rename inside a module never breaks another one.
"""

import ast
import re
import tomllib
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import ImproperlyConfigured
from django.urls import NoReverseMatch, reverse

from marketing import slots as marketing_slots
from sales import slots as sales_slots

ROOT = Path(settings.BASE_DIR)
SIDES = ("marketing", "sales")

# In a template: a URL name ({% url 'handoff:…' %}), a permission (perms.handoff…, 'handoff.x').
NAMES_HANDOFF_IN_TEMPLATE = re.compile(r"\bhandoff:|\bperms\.handoff\b|[\"']handoff\.")


def names_handoff(value: str) -> bool:
    """A string in Python that names handoff: its app label, a URL name or a permission in it."""
    return value == "handoff" or value.startswith(("handoff:", "handoff."))


def side_templates() -> list[Path]:
    roots = [ROOT / "templates" / side for side in SIDES] + [ROOT / side / "templates" for side in SIDES]
    return sorted(path for root in roots if root.is_dir() for path in root.rglob("*") if path.is_file())


def side_modules() -> list[Path]:
    return sorted(path for side in SIDES for path in (ROOT / side).rglob("*.py"))


def test_the_sides_have_templates_and_modules_to_check():
    assert len(side_templates()) > 30 and len(side_modules()) > 60


def test_no_marketing_or_sales_template_names_handoff():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in side_templates()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if NAMES_HANDOFF_IN_TEMPLATE.search(line)
    ]
    assert offenders == [], "link with {% slot_url … %} (marketing/slots.py, sales/slots.py):\n" + "\n".join(offenders)


def test_no_marketing_or_sales_module_names_handoff():
    offenders = [
        f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}"
        for path in side_modules()
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and names_handoff(node.value)
    ]
    assert offenders == [], "ask a slot (marketing/slots.py, sales/slots.py):\n" + "\n".join(offenders)


def test_the_guards_recognise_what_names_handoff():
    assert NAMES_HANDOFF_IN_TEMPLATE.search("""<a href="{% url 'handoff:inbox' %}">""")
    assert NAMES_HANDOFF_IN_TEMPLATE.search("{% if perms.handoff.decide_offer %}")
    assert NAMES_HANDOFF_IN_TEMPLATE.search("""{% if 'handoff.decide_offer' in perms %}""")
    assert not NAMES_HANDOFF_IN_TEMPLATE.search("<h2>Handoff brief</h2> what marketing knew at handoff.")
    assert all(map(names_handoff, ["handoff", "handoff:lead-verdicts", "handoff.decide_offer"]))
    assert not any(map(names_handoff, ["What marketing knew at handoff.", "Handoff brief"]))


SLOTS = [(side, name) for side in (marketing_slots, sales_slots) for name in side.SLOTS]


@pytest.mark.django_db
@pytest.mark.parametrize(("side", "name"), SLOTS, ids=[f"{s.__name__}:{n}" for s, n in SLOTS])
def test_every_slot_is_filled_with_a_page_or_a_permission_that_exists(side, name):
    value = side.filled(name)
    if name.endswith("-permission"):
        app_label, codename = value.split(".")
        assert Permission.objects.filter(content_type__app_label=app_label, codename=codename).exists()
        return
    assert any(reverses(value, args) for args in ((), (1,))), f"{value!r} names no page"


def reverses(url_name: str, args: tuple) -> bool:
    try:
        reverse(url_name, args=args)
    except NoReverseMatch:
        return False
    return True


def test_an_unknown_slot_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured, match="no slot named"):
        marketing_slots.fill("typo", "somewhere:else")
    with pytest.raises(ImproperlyConfigured, match="no slot named"):
        sales_slots.fill("typo", "somewhere:else")


# --- private names ----------------------------------------------------------------------------


def our_packages() -> list[str]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["root_packages"]


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_our_module(dotted: str) -> bool:
    base = ROOT.joinpath(*dotted.split("."))
    return dotted.split(".")[0] in our_packages() and (base.with_suffix(".py").is_file() or base.is_dir())


def private_imports(source: str, module: str, is_package: bool = False) -> list[str]:
    """`from x import _name`, `import x._name`, and `x._name` where x is one of our modules."""
    package = module if is_package else module.rpartition(".")[0]
    found, our_modules = [], set()
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if any(is_private(part) for part in alias.name.split(".")):
                    found.append(f"{node.lineno}: import {alias.name}")
                if is_our_module(alias.name):
                    our_modules.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            source_module = ".".join([*base, *([node.module] if node.module else [])])
            for alias in node.names:
                if is_private(alias.name) or any(is_private(part) for part in source_module.split(".")):
                    found.append(f"{node.lineno}: from {'.' * node.level}{node.module or ''} import {alias.name}")
                if is_our_module(f"{source_module}.{alias.name}"):
                    our_modules.add(alias.asname or alias.name)
    for node in ast.walk(tree):
        on_our_module = (
            isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in our_modules
        )
        if on_our_module and is_private(node.attr):
            found.append(f"{node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_no_module_imports_another_modules_private_name():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for package in our_packages()
        if (ROOT / package).is_dir()
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
        for line in private_imports(path.read_text(), module_of(path), path.name == "__init__.py")
    ]
    assert offenders == [], "give it a public name in the module that owns it:\n" + "\n".join(offenders)


def test_the_private_import_guard_recognises_each_form():
    module = "marketing.services.scoring"
    assert private_imports("from .stages import _move, qualify_lead", module) == ["1: from .stages import _move"]
    assert private_imports("from ..scoring import _number", module) == ["1: from ..scoring import _number"]
    assert private_imports("from . import stages\nstages._move(lead)", module) == ["2: stages._move"]
    assert private_imports("import marketing.services.stages as s\ns._move()", module) == ["2: s._move"]
    assert private_imports("from marketing import _secret", module) == ["1: from marketing import _secret"]
    # Django's documented _meta on a model class, one's own private names, dunders: fine.
    assert private_imports("from ..models import Lead\nLead._meta.get_field('x')", module) == []
    assert private_imports("def _helper(): pass\n_helper()\nfrom .stages import __all__", module) == []

from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """No models: installed so that `generate_data` and `seed_demo` are management commands."""

    name = "devtools"
    verbose_name = "Development tools"

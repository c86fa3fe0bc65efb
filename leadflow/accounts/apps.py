from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Signing in: the login lockout, and the API tokens integrators sign in with.

    Project plumbing like the outbox: the apps never import it. Settings point DRF at its
    authentication class and the URLs at its login view.
    """

    name = "leadflow.accounts"
    label = "accounts"
    verbose_name = "Accounts and API tokens"

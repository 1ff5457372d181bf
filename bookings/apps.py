from django.apps import AppConfig
from django.core.signals import setting_changed


def _reset_client_on_settings_change(*, setting: str, **kwargs: object) -> None:
    # Tests point the site at another diary with override_settings; the
    # client built from the old settings must not outlive them. (The reference
    # diary resets it for its own settings: sandbox/apps.py.)
    if setting.startswith("PHYSIODIARY_"):
        from .client import reset_client

        reset_client()


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = "Online booking"

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401  (registers the system checks)
            configuration,  # noqa: F401  (a console save reaches every server)
        )
        from .embedding import forget_script

        setting_changed.connect(_reset_client_on_settings_change, dispatch_uid="bookings-client")
        # A test's own catalogue changes embed.js's words, whose render is kept per languages.
        setting_changed.connect(forget_script, dispatch_uid="bookings-embed-script")

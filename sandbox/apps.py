from django.apps import AppConfig
from django.core.signals import setting_changed


def _reset_client_on_settings_change(*, setting: str, **kwargs: object) -> None:
    # Whether the site may use the reference diary (SANDBOX_ENABLED) is read
    # when its client is built: a client built before a change must go.
    if setting.startswith("SANDBOX_"):
        from bookings.client import reset_client

        reset_client()


class SandboxConfig(AppConfig):
    name = "sandbox"
    verbose_name = "Reference diary"

    def ready(self) -> None:
        from bookings.client import register_default_diary

        from . import checks  # noqa: F401 - registers `check --deploy`'s checks of its keys
        from .transport import in_process_diary

        # A site with no PHYSIODIARY_API_URL books into the reference diary,
        # in-process: the site's glue knows nothing of this app but this hook.
        register_default_diary(in_process_diary)
        setting_changed.connect(_reset_client_on_settings_change, dispatch_uid="sandbox-client")

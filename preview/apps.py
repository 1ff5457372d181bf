from django.apps import AppConfig


class PreviewConfig(AppConfig):
    """No models; its templates are the site's, in templates/preview/. Installed
    always, routed only with DEBUG on (booking_site/urls.py)."""

    name = "preview"
    verbose_name = "Preview of every page"

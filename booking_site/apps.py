"""The admin app, with the site's own AdminSite as `admin.site`.

A module of its own because INSTALLED_APPS imports it before any model can
be: the site itself (booking_site/admin_site.py) imports the auth forms,
which need the models.
"""

from django.contrib.admin.apps import AdminConfig


class BookingAdminConfig(AdminConfig):
    default_site = "booking_site.admin_site.BookingAdminSite"

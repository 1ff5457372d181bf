"""The "Practice staff" group: the console's permissions and nothing else.

Staff accounts put in it may edit the practice's details, notices,
practitioners and rooms, read the activity counts and the record of changes;
not accounts, not the outbox, not the reference diary. docs/practice.md says
how to make an account for a member of staff.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Practice staff"

#: app label → the permissions the group has there.
PERMISSIONS = {
    "bookings": [
        "view_practiceprofile",
        "change_practiceprofile",
        "view_notice",
        "add_notice",
        "change_notice",
        "delete_notice",
        "view_practitionerprofile",
        "change_practitionerprofile",
        "view_roomprofile",
        "change_roomprofile",
        "view_dailycount",
    ],
    # Who changed what (console/views.py's "Recent changes", each row's History).
    "admin": ["view_logentry"],
}


def make_group(apps, schema_editor):
    # Django makes permissions after the last migration; a fresh database has
    # none yet, so make those of the two apps now (it skips existing ones).
    for label in PERMISSIONS:
        create_permissions(global_apps.get_app_config(label), verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for label, codenames in PERMISSIONS.items():
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label=label, codename__in=codenames)
        )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0002_console_settings"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(make_group, remove_group)]

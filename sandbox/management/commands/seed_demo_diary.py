from datetime import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from sandbox.models import Practitioner, Room, WorkingHours
from sandbox.models import Weekday as D

# The vendor's example staff and sections (docs/physiodiary-api.md), so that the
# site shows what the vendor's reference server would.
STAFF = {42228: "John", 42230: "Anna", 42229: "Jayne", 42233: "Chris", 42227: "Demo User"}
ROOMS = {7322: "Treatment Room 1", 7323: "Treatment Room 2", 7324: "Treatment Room 3"}
SLOT_MINUTES = 45

# (staffId, sectionId, weekdays, start, end). Rooms 1 and 2 are each shared
# by two practitioners on different days; Saturday mornings and evenings
# are there so the site can be tried on them.
HOURS = [
    (42228, 7322, [D.MONDAY, D.WEDNESDAY, D.FRIDAY], time(9, 0), time(13, 0)),
    (42228, 7322, [D.MONDAY, D.WEDNESDAY, D.FRIDAY], time(14, 0), time(17, 0)),
    (42228, 7322, [D.SATURDAY], time(9, 0), time(12, 45)),
    (42233, 7322, [D.TUESDAY, D.THURSDAY], time(8, 0), time(16, 0)),
    (42233, 7324, [D.SATURDAY], time(9, 0), time(13, 0)),
    (42230, 7323, [D.TUESDAY, D.THURSDAY], time(9, 0), time(13, 30)),
    # The vendor's freeList example: Anna from 14:15 into the evening.
    (42230, 7323, [D.TUESDAY, D.THURSDAY], time(14, 15), time(20, 15)),
    (42229, 7323, [D.MONDAY, D.WEDNESDAY], time(12, 0), time(20, 0)),
    (42229, 7324, [D.FRIDAY], time(8, 0), time(14, 0)),
    (42227, 7324, [D.MONDAY, D.TUESDAY, D.WEDNESDAY, D.THURSDAY], time(10, 0), time(16, 0)),
]


class Command(BaseCommand):
    help = (
        "Add the vendor's example staff, rooms and working hours to the reference diary, "
        "creating only what is missing: a practitioner or room that already exists is left "
        "as it is, and demo working hours are added only for a practitioner who has none "
        "(so one whose hours were all deleted gets them back)."
    )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.SANDBOX_ENABLED:
            # `make serve` sets up as `make run` does: on a live diary there
            # is no reference diary to fill, and its tables stay empty.
            self.stdout.write("The reference diary is off (SANDBOX_ENABLED): nothing to seed.")
            return
        # `make run` and `make test` seed every time, so nothing the practice
        # edited in the admin may be reset or duplicated here.
        created = 0
        for staff_id, name in STAFF.items():
            _, new = Practitioner.objects.get_or_create(
                id=staff_id, defaults={"name": name, "slot_minutes": SLOT_MINUTES}
            )
            created += new
        for section_id, name in ROOMS.items():
            _, new = Room.objects.get_or_create(id=section_id, defaults={"name": name})
            created += new
        # Hours are added per practitioner, all or nothing: adding a demo row
        # beside an edited one would make the diary offer overlapping times.
        staffed = set(
            WorkingHours.objects.filter(practitioner_id__in=STAFF).values_list(
                "practitioner_id", flat=True
            )
        )
        missing = [
            WorkingHours(
                practitioner_id=staff_id, room_id=section_id, weekday=weekday, start=start, end=end
            )
            for staff_id, section_id, weekdays, start, end in HOURS
            if staff_id not in staffed
            for weekday in weekdays
        ]
        WorkingHours.objects.bulk_create(missing)
        created += len(missing)
        hours = WorkingHours.objects.filter(practitioner_id__in=STAFF).count()
        self.stdout.write(
            f"Reference diary seeded: {len(STAFF)} practitioners, {len(ROOMS)} rooms, "
            f"{hours} working hours ({created} rows created)."
        )

from datetime import time

import pytest
from django.core.management import call_command
from django.utils import timezone

from sandbox.diary import free_times
from sandbox.models import Practitioner, Room, Weekday, WorkingHours

pytestmark = pytest.mark.django_db


def diary_contents() -> list[tuple]:
    return [
        *Practitioner.objects.values_list("id", "name", "slot_minutes"),
        *Room.objects.values_list("id", "name"),
        *WorkingHours.objects.values_list("id", "practitioner", "room", "weekday", "start", "end"),
    ]


def test_seeding_gives_the_vendors_example_staff_and_rooms(capsys):
    call_command("seed_demo_diary")

    assert dict(Practitioner.objects.values_list("id", "name")) == {
        42228: "John",
        42230: "Anna",
        42229: "Jayne",
        42233: "Chris",
        42227: "Demo User",
    }
    assert dict(Room.objects.values_list("id", "name")) == {
        7322: "Treatment Room 1",
        7323: "Treatment Room 2",
        7324: "Treatment Room 3",
    }
    assert set(Practitioner.objects.values_list("slot_minutes", flat=True)) == {45}
    output = capsys.readouterr().out
    assert output.count("\n") == 1
    assert "5 practitioners, 3 rooms" in output


def test_seeding_twice_changes_nothing(capsys):
    call_command("seed_demo_diary")
    first = diary_contents()

    call_command("seed_demo_diary")

    assert diary_contents() == first
    assert "(0 rows created)" in capsys.readouterr().out.splitlines()[-1]


def test_seeding_puts_back_what_was_changed():
    call_command("seed_demo_diary")
    Practitioner.objects.filter(id=42230).update(name="Ana", slot_minutes=30)

    call_command("seed_demo_diary")

    assert Practitioner.objects.get(id=42230).name == "Anna"
    assert Practitioner.objects.get(id=42230).slot_minutes == 45


def test_seeded_working_hours_are_valid():
    call_command("seed_demo_diary")

    for hours in WorkingHours.objects.all():
        hours.clean()


def test_every_seeded_practitioner_has_free_times_in_the_coming_fortnight():
    call_command("seed_demo_diary")
    now = timezone.now()

    for practitioner in Practitioner.objects.all():
        rooms = Room.objects.filter(working_hours__practitioner=practitioner).distinct()
        free = [f for room in rooms for f in free_times(practitioner, room, now.date(), 14, now)]
        assert free, practitioner


def test_the_seeded_diary_has_saturday_mornings_evenings_and_a_shared_room():
    call_command("seed_demo_diary")

    assert WorkingHours.objects.filter(weekday=Weekday.SATURDAY, end__lte=time(13)).exists()
    assert WorkingHours.objects.filter(end__gte=time(19)).exists()
    shared = [
        room
        for room in Room.objects.all()
        if room.working_hours.values("practitioner").distinct().count() > 1
    ]
    assert shared

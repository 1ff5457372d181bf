from datetime import time

import pytest
from django.core.management import call_command
from django.utils import timezone

from sandbox.free_times import free_times
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


def test_seeding_again_keeps_a_practitioners_edited_name_and_slot_length(capsys):
    call_command("seed_demo_diary")
    Practitioner.objects.filter(id=42230).update(name="Ana", slot_minutes=30)
    Room.objects.filter(id=7322).update(name="Gym")

    call_command("seed_demo_diary")

    assert Practitioner.objects.get(id=42230).name == "Ana"
    assert Practitioner.objects.get(id=42230).slot_minutes == 30
    assert Room.objects.get(id=7322).name == "Gym"
    assert "(0 rows created)" in capsys.readouterr().out.splitlines()[-1]


def test_seeding_again_keeps_edited_working_hours_and_adds_none_beside_them(capsys):
    call_command("seed_demo_diary")
    johns = WorkingHours.objects.filter(practitioner_id=42228)
    before = johns.count()
    edited = johns.get(weekday=Weekday.MONDAY, start=time(9))
    edited.start = time(9, 30)
    edited.save()

    call_command("seed_demo_diary")

    edited.refresh_from_db()
    assert edited.start == time(9, 30)
    assert johns.count() == before
    assert not johns.filter(weekday=Weekday.MONDAY, start=time(9)).exists()
    for hours in johns:
        hours.clean()
    assert "(0 rows created)" in capsys.readouterr().out.splitlines()[-1]


def test_seeding_again_leaves_a_practitioner_whose_hours_were_cut_down():
    call_command("seed_demo_diary")
    johns = WorkingHours.objects.filter(practitioner_id=42228)
    johns.exclude(weekday=Weekday.SATURDAY).delete()
    kept = list(johns.values_list("id", flat=True))

    call_command("seed_demo_diary")

    assert list(johns.values_list("id", flat=True)) == kept


def test_seeding_again_gives_back_the_hours_of_a_practitioner_who_has_none(capsys):
    call_command("seed_demo_diary")
    annas = WorkingHours.objects.filter(practitioner_id=42230)
    demo = sorted(annas.values_list("room", "weekday", "start", "end"))
    others = WorkingHours.objects.exclude(practitioner_id=42230).order_by("id")
    others_before = list(others.values_list("id", flat=True))
    annas.delete()

    call_command("seed_demo_diary")

    assert sorted(annas.values_list("room", "weekday", "start", "end")) == demo
    assert list(others.values_list("id", flat=True)) == others_before
    assert f"({len(demo)} rows created)" in capsys.readouterr().out.splitlines()[-1]


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


def test_on_a_live_diary_there_is_nothing_to_seed(settings, capsys):
    settings.SANDBOX_ENABLED = False
    call_command("seed_demo_diary")
    assert "nothing to seed" in capsys.readouterr().out
    assert not Practitioner.objects.exists()

import importlib.util
from pathlib import Path

import pytest
from django.contrib import admin

import sandbox.admin
from sandbox.models import Booking, Practitioner, Room, WorkingHours

pytestmark = pytest.mark.django_db

SANDBOX_MODELS = [Practitioner, Room, WorkingHours, Booking]


def import_admin_afresh(monkeypatch: pytest.MonkeyPatch) -> admin.AdminSite:
    """Runs a fresh copy of sandbox/admin.py against a fresh AdminSite, which it returns.

    Neither the global admin registry nor the sandbox.admin module is touched.
    """
    site = admin.AdminSite(name="fresh")
    monkeypatch.setattr(admin, "site", site)
    spec = importlib.util.spec_from_file_location(
        "sandbox._admin_afresh", Path(sandbox.admin.__file__)
    )
    assert spec is not None and spec.loader is not None
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
    return site


def test_the_reference_diary_is_in_the_admin_where_the_site_runs_on_it(settings, monkeypatch):
    settings.SANDBOX_ENABLED = True

    site = import_admin_afresh(monkeypatch)

    assert all(site.is_registered(model) for model in SANDBOX_MODELS)


def test_the_reference_diary_is_not_in_the_admin_of_a_live_site(settings, monkeypatch):
    before = dict(admin.site._registry)
    settings.SANDBOX_ENABLED = False

    site = import_admin_afresh(monkeypatch)

    assert not any(site.is_registered(model) for model in SANDBOX_MODELS)
    monkeypatch.undo()
    assert admin.site._registry == before


def test_register_puts_every_part_of_the_diary_in_an_admin_site():
    site = admin.AdminSite(name="fresh")

    sandbox.admin.register(site)

    assert all(site.is_registered(model) for model in SANDBOX_MODELS)


@pytest.mark.parametrize("model", SANDBOX_MODELS)
def test_the_admin_lists_and_adds_every_part_of_the_diary(admin_client, anna, model):
    name = model._meta.model_name

    assert admin_client.get(f"/admin/sandbox/{name}/").status_code == 200
    assert admin_client.get(f"/admin/sandbox/{name}/add/").status_code == 200


def test_the_admin_shows_a_practitioners_working_hours(admin_client, anna):
    response = admin_client.get(f"/admin/sandbox/practitioner/{anna.pk}/change/")

    assert response.status_code == 200
    assert b"working_hours-0-start" in response.content


def practitioner_form(*rows: tuple[int, str, str]) -> dict[str, object]:
    form: dict[str, object] = {
        "id": 42229,
        "name": "Jayne",
        "slot_minutes": 45,
        "working_hours-TOTAL_FORMS": len(rows),
        "working_hours-INITIAL_FORMS": 0,
    }
    for i, (weekday, start, end) in enumerate(rows):
        form |= {
            f"working_hours-{i}-room": 7323,
            f"working_hours-{i}-weekday": weekday,
            f"working_hours-{i}-start": start,
            f"working_hours-{i}-end": end,
        }
    return form


def test_the_admin_adds_a_practitioner_with_working_hours(admin_client, room2):
    response = admin_client.post(
        "/admin/sandbox/practitioner/add/",
        practitioner_form((0, "09:00", "12:00"), (0, "12:00", "17:00")),
    )

    assert response.status_code == 302
    assert Practitioner.objects.get(id=42229).working_hours.count() == 2


def test_the_admin_refuses_new_working_hours_that_overlap_each_other(admin_client, room2):
    response = admin_client.post(
        "/admin/sandbox/practitioner/add/",
        practitioner_form((0, "09:00", "12:00"), (0, "11:00", "17:00")),
    )

    assert response.status_code == 200
    assert b"Working hours on Monday overlap." in response.content
    assert not Practitioner.objects.filter(id=42229).exists()

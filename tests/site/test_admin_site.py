"""The admin: sign-in attempts limited before any password is hashed, and routed
only where the reference diary puts something in it (booking_site/admin_site.py).

A fast hasher stands in for PBKDF2 here (about 0.35 s of CPU a check, the
very cost the limits save) and counts every hash: checking a password, and
the dummy check Django runs for a username that does not exist.
"""

from __future__ import annotations

import re
import threading

import pytest
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.hashers import MD5PasswordHasher
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client

import sandbox.admin
from booking_site import admin_site

pytestmark = pytest.mark.django_db

ADMIN, RIGHT = "practice-admin", "the-right-password"
HERE = "203.0.113.9"


@pytest.fixture
def hashes(settings, monkeypatch) -> list[str]:
    """Every password hashed from now on (one entry each)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    hashed: list[str] = []
    encode = MD5PasswordHasher.encode

    def counted(self, password, salt):
        hashed.append(password)
        return encode(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counted)
    return hashed


@pytest.fixture
def account(hashes, django_user_model) -> User:
    """The practice's admin account; its own creation is not counted."""
    user = django_user_model.objects.create_superuser(ADMIN, "admin@example.com", RIGHT)
    hashes.clear()
    return user


def sign_in(username: str, password: str, address: str = HERE, client: Client | None = None):
    return (client or Client()).post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def message(page) -> str:
    """The error the sign-in page shows, as one line."""
    notes = re.findall(r'<p class="errornote">\s*(.*?)\s*</p>', page.content.decode(), re.S)
    return " ".join(" ".join(note.split()) for note in notes)


def wrong_passwords(count: int, username: str = ADMIN, address: str = HERE) -> list[int]:
    return [sign_in(username, f"guess-{i}", address).status_code for i in range(count)]


# --- The reproduction -----------------------------------------------------------


def test_24_wrong_passwords_then_the_right_one_are_refused_after_5_without_hashing(
    account, hashes, settings
):
    assert settings.ADMIN_LOGIN_RATE_LIMIT == 5
    client = Client()

    statuses = [sign_in(ADMIN, f"guess-{i}", client=client).status_code for i in range(24)]
    right = sign_in(ADMIN, RIGHT, client=client)

    assert statuses == [200] * 5 + [429] * 19
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    assert len(hashes) == 5


def test_attempts_sent_all_at_once_are_counted_before_any_is_hashed(hashes):
    # A check-then-count would let all 25 past the limit while none had failed yet.
    start = threading.Barrier(25)
    statuses: list[int] = []

    def attempt(number: int) -> None:
        start.wait()
        try:
            statuses.append(sign_in("nobody", f"guess-{number}").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(25)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200] * 5 + [429] * 20
    assert len(hashes) == 5


# --- What a refused attempt is told ------------------------------------------------------


def test_a_refused_attempt_is_the_sign_in_page_with_the_wait(account, settings):
    wrong_passwords(5)

    page = sign_in(ADMIN, RIGHT)

    assert page.status_code == 429
    wait = int(page["Retry-After"])
    assert 0 < wait <= settings.ADMIN_LOGIN_RATE_LIMIT_SECONDS
    assert message(page) == admin_site.wait_message(wait)
    assert message(page).startswith("Too many sign-in attempts. Try again in ")
    assert 'name="username"' in page.content.decode()  # the form, to try again later
    assert "no-cache" in page["Cache-Control"]


@pytest.mark.parametrize(
    ("wait", "words"),
    [(1, "1 minute"), (60, "1 minute"), (61, "2 minutes"), (900, "15 minutes")],
)
def test_the_wait_is_told_in_whole_minutes_rounded_up(wait, words):
    assert admin_site.wait_message(wait) == f"Too many sign-in attempts. Try again in {words}."


def test_a_refusal_does_not_tell_whether_the_username_exists(account, hashes):
    for username, address in ((ADMIN, "203.0.113.1"), ("nobody", "203.0.113.2")):
        assert wrong_passwords(5, username, address) == [200] * 5
    hashes.clear()

    real = sign_in(ADMIN, "guess", "203.0.113.1")
    made_up = sign_in("nobody", "guess", "203.0.113.2")

    assert real.status_code == made_up.status_code == 429
    assert message(real) == message(made_up)
    assert abs(int(real["Retry-After"]) - int(made_up["Retry-After"])) <= 1
    assert hashes == []


# --- Per address, per username ------------------------------------------------------------


def test_one_address_is_refused_after_20_attempts_whatever_the_usernames(account, hashes, settings):
    assert settings.ADMIN_LOGIN_ADDRESS_RATE_LIMIT == 20
    statuses = [sign_in(f"user-{i}", "guess").status_code for i in range(20)]
    hashes.clear()

    assert statuses == [200] * 20
    assert sign_in(ADMIN, RIGHT).status_code == 429
    assert sign_in(ADMIN, RIGHT, address="198.51.100.7").status_code == 302  # another address
    assert hashes == [RIGHT]  # the refused attempt was never checked


def test_one_username_is_refused_after_5_failures_from_any_addresses(account, hashes):
    for i, name in enumerate([ADMIN, ADMIN.upper(), ADMIN, ADMIN.title(), ADMIN]):
        assert sign_in(name, "guess", f"198.51.100.{i}").status_code == 200
    hashes.clear()

    refused = sign_in(ADMIN, RIGHT, "192.0.2.50")

    assert refused.status_code == 429
    assert hashes == []


def test_signing_in_successfully_uses_up_no_attempts(account):
    statuses = [sign_in(ADMIN, RIGHT).status_code for _ in range(8)]

    assert statuses == [302] * 8


def test_signing_in_does_not_wipe_earlier_failures(account):
    wrong_passwords(4)
    assert sign_in(ADMIN, RIGHT).status_code == 302
    wrong_passwords(1)

    assert sign_in(ADMIN, RIGHT).status_code == 429


def test_a_limit_of_0_is_no_limit(account, settings):
    settings.ADMIN_LOGIN_RATE_LIMIT = settings.ADMIN_LOGIN_ADDRESS_RATE_LIMIT = 0

    assert wrong_passwords(25) == [200] * 25


def test_the_cache_keeps_neither_the_username_nor_the_address(cached, account):
    wrong_passwords(6)

    kept = cached()
    assert kept
    for key, value in kept.items():
        for secret in (ADMIN, HERE):
            assert secret not in key
            assert secret.encode() not in value


# --- Routed only where something uses it ---------------------------------------------------


def test_the_admin_is_routed_where_the_reference_diary_is_in_it(client, settings):
    assert settings.SANDBOX_ENABLED
    assert admin_site.in_use()
    assert client.get("/admin/login/").status_code == 200


def test_the_admin_is_not_in_use_with_only_its_own_accounts_in_it():
    site = admin_site.BookingAdminSite(name="live")
    site.register(User, UserAdmin)
    site.register(Group, GroupAdmin)

    assert not admin_site.in_use(site)
    sandbox.admin.register(site)
    assert admin_site.in_use(site)


@pytest.fixture
def admin_of_a_live_site(settings, reload_urls):
    """The site's URLs as a live diary's site builds them: its admin holds only accounts
    (sandbox/admin.py registers nothing with SANDBOX_ENABLED off)."""
    live = admin_site.BookingAdminSite(name="admin")
    live.register(User, UserAdmin)
    live.register(Group, GroupAdmin)
    settings.SANDBOX_ENABLED = False
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(admin, "site", live)
        reload_urls()
        yield
    # Undone before reload_urls rebuilds the URLs the other tests expect.


@pytest.mark.usefixtures("admin_of_a_live_site")
@pytest.mark.parametrize("path", ["/admin/", "/admin/login/", "/admin/auth/user/"])
def test_a_live_site_has_no_admin_at_all(client, account, path):
    assert client.get(path).status_code == 404
    assert sign_in(ADMIN, RIGHT).status_code == 404

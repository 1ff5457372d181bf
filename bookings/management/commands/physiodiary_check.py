"""Tell a practice manager, in plain words, whether the Physiodiary connection works."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.views.decorators.debug import sensitive_variables

from bookings.client import build_client, why
from physiodiary import ErrorCode, PhysiodiaryError, Reason, Rejected

# What each cause means to someone with no IT department, and what to do. The
# cause in short comes first, in the words of /readyz and the client's own.
ADVICE = {
    Reason.NOT_AUTHORISED: (
        "Physiodiary refused the request (HTTP 404). Either the API key in "
        "PHYSIODIARY_API_KEY is wrong, or this server's public IP address is not the one "
        "registered with Physiodiary (with several servers, all must leave through that "
        "one address: see PHYSIODIARY_PROXY). Physiodiary does not say which of the two; "
        "check the key first, then ask them which IP address they have registered."
    ),
    Reason.TIMEOUT: (
        "Physiodiary did not answer in time. The server may be down or slow, or a firewall "
        "may be dropping traffic to its port. Check PHYSIODIARY_API_URL (note its unusual "
        "port number) and try again in a few minutes."
    ),
    Reason.REFUSED: (
        "The connection to Physiodiary could not be made (refused, timed out, or the name "
        "did not resolve). Check PHYSIODIARY_API_URL, including its port number, and that "
        "this server may connect out to it."
    ),
    Reason.DROPPED: (
        "The connection to Physiodiary was cut before its answer was complete. A firewall "
        "or proxy on the way may be interfering; try again, and if it persists check the "
        "network between this server and Physiodiary."
    ),
    Reason.TLS: (
        "The secure (TLS) connection to Physiodiary could not be set up. Check that "
        "PHYSIODIARY_API_URL starts with the scheme Physiodiary gave you and that this "
        "server's clock and certificate store are up to date."
    ),
    Reason.PROXY: (
        "The outbound proxy in PHYSIODIARY_PROXY refused or failed the connection. Check "
        "that the proxy is running and allows connections to Physiodiary's host and port."
    ),
    Reason.STATUS: "Physiodiary may be having trouble; try again in a few minutes.",
    Reason.NOT_JSON: (
        "Something answered, but not with Physiodiary's JSON. PHYSIODIARY_API_URL may point "
        "at the wrong address (a web page rather than the API)."
    ),
    Reason.BAD_SHAPE: (
        "Physiodiary answered in a format this site does not recognise. The API may have "
        "changed; please report this to the site's developers."
    ),
}


class Command(BaseCommand):
    help = "Check the connection to the Physiodiary server configured for this site."

    @sensitive_variables()  # the API key, in the client's frames, in error reports
    def handle(self, *args: object, **options: object) -> None:
        client = build_client()
        client.read_retries = 0  # a diagnosis should answer quickly and truthfully
        where = settings.PHYSIODIARY_API_URL or "the built-in reference diary"
        self.stdout.write(f"Checking Physiodiary at {where} ...")
        if not settings.PHYSIODIARY_API_URL and not settings.DEBUG:
            self.stderr.write(
                "Warning: this site runs on the reference diary, a demo. Bookings made here "
                "never reach the practice. Set PHYSIODIARY_API_URL for real bookings."
            )
        try:
            practitioners = client.practitioners()
            rooms = client.rooms()
        except Rejected as exc:
            details = "; ".join(f"error {e.code} ({e.field}): {e.message}" for e in exc.errors)
            hint = ""
            if not settings.PHYSIODIARY_API_URL and ErrorCode.UNKNOWN_ERROR in exc.codes:
                # The reference diary answers 13 when its own tables are missing.
                hint = " Has the database been set up? Run `manage.py migrate`."
            raise CommandError(f"Physiodiary rejected the request: {details}.{hint}") from None
        except PhysiodiaryError as exc:
            advice = ADVICE.get(exc.reason, "Check PHYSIODIARY_API_URL.")
            raise CommandError(
                f"The connection does not work: {why(exc.reason)}. {advice}"
            ) from None
        finally:
            client.session.close()
        self.stdout.write(
            self.style.SUCCESS(
                f"The connection works: {_count(practitioners, 'practitioner')} and "
                f"{_count(rooms, 'room')}."
            )
        )


def _count(items: tuple[object, ...], noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"

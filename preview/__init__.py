"""/preview/: every page of the booking and every error page, with sample data.

For designers (docs/designers.md): each state is rendered by its real
template, from a context built by the booking views' own helpers
(`bookings.views.*_context`) out of the objects those views use (forms,
`wizard.Window`, the diary's practitioners, rooms and free time `Slot`s,
`confirmations.Booked`), so a template change that breaks a real page breaks
its preview too. A thin wrapper (templates/preview/page.html) adds a banner
and `noindex`; the real templates know nothing of it.

- `samples`: the made-up practitioners, rooms, patient, free times and bookings;
- `contexts`: each state's template context, built from the samples;
- `states`: the list of states, by step, each with its template and context;
- `views`: the index and one page per state; `urls` routes them.

Nothing here asks the diary, writes to the cache or books: the samples are
made up, the details form posts back to its own preview, and its token is
not a signed one, so the real details page would refuse it too.

Only with DEBUG on: booking_site/urls.py routes /preview/ only then, so
otherwise every address under it is the site's 404. They are never framed
(`bookings.embedding.NEVER_FRAMED`).
"""

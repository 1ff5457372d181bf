"""/preview/: every page of the booking and every error page, with sample data.

For designers (docs/designers.md): each state is rendered by its real
template, from a context built by the booking views' own helpers
(`bookings.views.*_context`) out of the objects those views use (forms,
`wizard.Window`, the diary's practitioners, rooms and free time `Slot`s,
`confirmations.Booked`), so a template change that breaks a real page breaks
its preview too. A thin wrapper (templates/preview/page.html) adds a banner
and `noindex`; the real templates know nothing of it.

- `samples`: the made-up practitioners, rooms, patient, free times, bookings and change link;
- `contexts`: each state's template context, built from the samples (`contexts_change`:
  the change or cancel link's pages);
- `states`: the list of states, by step, each a `state.State` with its template and
  context (`states_change`: the change or cancel link's);
- `views`: the index and one page per state; `urls` routes them.

Nothing here asks the diary, writes to the cache or the database, or books:
the samples are made up (the sample change link is kept nowhere), the details
and cancel forms post back to their own previews, and their token is not a
signed one, so the real pages would refuse it too.

Only with DEBUG on: booking_site/urls.py routes /preview/ only then, so
otherwise every address under it is the site's 404. They are never framed
(`bookings.embedding.NEVER_FRAMED`).
"""

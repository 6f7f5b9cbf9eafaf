"""The workspace's reminder sweeps: what running relationships need now, as notices.

Each sweep is registered with ``mentoring.sweeps`` and only *finds*: given ``at`` it
returns the notices due then; the core records each once (its key names the kind, the
object, the occurrence and the recipient) and e-mails it as the recipient prefers.

Why each query stays cheap with millions of rows: every reminder falls due at a moment
(a meeting's start less a lead time, a date plus some days). A sweep asks, through an
index, for the rows whose moment came within the last ``CATCH_UP`` (``CATCH_UP_DAYS``
for the date-based ones), plus rows changed lately (a meeting booked or moved after
its moment had passed). So a row is found for a few hours after it fell due, not for
as long as it exists, and a repeat costs a key look-up. A beat stopped for longer than
the catch-up loses that one reminder; the next one of the same thing still goes.

Queries: one for the rows, with the pair's people joined in; one for circle members
and program admins of those rows when needed; where a reminder depends on what someone
has done (a check-in, a review), one for that, bounded by the rows' ids; and for the
meeting sweeps, first the programs' lead times (a few rows), to build the windows.

``meetings`` holds the sweeps about meetings, ``relationship`` the others.
"""

from sessions.sweeps._common import CATCH_UP, CATCH_UP_DAYS
from sessions.sweeps.meetings import after_meeting, agenda_due, meeting_reminders
from sessions.sweeps.relationship import action_items, closure, fading_pairs, midpoint_reviews

__all__ = [
    "CATCH_UP",
    "CATCH_UP_DAYS",
    "action_items",
    "after_meeting",
    "agenda_due",
    "closure",
    "fading_pairs",
    "meeting_reminders",
    "midpoint_reviews",
]

"""Every write in matching. Split by area; import from here: ``from matching import services``.

Each area module lists its public services in ``__all__``.
"""

from matching.services._common import TransitionError, mentor_load, mentor_loads
from matching.services.circles import *  # noqa: F403
from matching.services.flash import *  # noqa: F403
from matching.services.pairings import (
    pairing_accept,
    pairing_complete,
    pairing_create,
    pairing_decline,
    pairing_end_early,
    pairings_expire_overdue,
)
from matching.services.preferences import *  # noqa: F403
from matching.services.requests import *  # noqa: F403
from matching.services.runs import *  # noqa: F403

__all__ = [
    "TransitionError",
    "mentor_load",
    "mentor_loads",
    "pairing_accept",
    "pairing_complete",
    "pairing_create",
    "pairing_decline",
    "pairing_end_early",
    "pairings_expire_overdue",
]

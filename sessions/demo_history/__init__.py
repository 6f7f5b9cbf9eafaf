"""A second demo program, five months into its run, with the history that makes the
program health dashboard and each person's constellation worth a look.

"Northwind Leadership Mentoring 2026" is administered by the demo admin. The demo
mentor mentors two people in it (one on track, one at risk); the demo mentee is, here,
the mentor of a senior colleague (reverse mentoring) and had a peer mentoring with an
analyst from another organisation, now completed. Around them: pairs on track, at risk,
with low ratings, ended early, completed, declined, expired, proposed, and just started.

Written straight to the models (seed data, chosen by hand): pairings one by one, so the
workspace receiver in ``sessions.signals`` runs; everything inside the workspaces in
bulk. Idempotent (the program is found by its slug and then left as it is) and
deterministic (generators seeded per pair; dates counted back from the program's today).
Nothing is left overdue for the expiry chore.

Split by stage; import from here (``from sessions import demo_history``):

- ``program``: the program, its people and its pairings, each with its planned fate
  (``PAIRS``), and the ``Story`` of each pairing that started;
- ``meetings``: each started pair's agreement, goals and meetings (``Meetings``);
- ``history``: what followed (agendas, check-ins, actions, goal progress, roadmap,
  notes, reviews), the bulk save and the stored rhythm (``History``), and ``seed``;
- ``text``: the words the pairs wrote, theme by theme.
"""

from sessions.demo_history.history import seed
from sessions.demo_history.program import ENDS_IN_DAYS, NAME, PARTNER_EMAIL, SLUG, STARTED_DAYS_AGO

__all__ = [
    "ENDS_IN_DAYS",
    "NAME",
    "PARTNER_EMAIL",
    "SLUG",
    "STARTED_DAYS_AGO",
    "seed",
]

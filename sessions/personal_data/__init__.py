"""People's data: download everything Constellation holds about you, or delete your account.

This module reads and writes every app (programs, matching, sessions) on behalf of one
person, so, unlike the rest of ``mentoring``, it sits at the top of the layers: nothing
below imports it; only ``sessions.views.account`` does.

What the download holds (``data.json``, and one ``csv/<section>.csv`` per list):

- your account: e-mail, name, title, organisation, time zone, bio, contact channels,
  days and hours, when you joined and last signed in, staff or not; your e-mail
  addresses (verified, primary); whether two-factor authentication is on and when each
  method was set up and last used;
- your notifications (with their lines) and how you chose to hear of each kind;
- per program: your memberships (role, dates, the whole enrolment profile, topics and
  your answers to the enrolment questions), invitations addressed to you, your ranked
  matching preferences, the mentor requests you sent or received, your pairings (with
  the other person's name as the app shows it) and the "why you fit" explanations of
  requests and pairings as you were shown them, the circles you lead or sit in, your
  flash offers and bookings;
- per relationship workspace you belong to (ended ones too): its dates and the reasons
  given for moving them, the agreement, its earlier versions and your acceptances, goals
  and their history, the roadmap, meetings, agendas (another person's draft only once
  it is submitted, as in the app) and circle agenda items; and, wherever they are:
  the check-ins and reviews you wrote, the action items you own or created, your notes
  (private and shared) and the notes shared with you.

What it leaves out, and why:

- your password hash, two-factor secrets and recovery codes, and your sign-in
  sessions: they are credentials, not information about you;
- other people's private notes (their author's alone, always), their check-ins and
  reviews (their words; the workspace still shows you what it showed before), other
  pairs' data, and relationships you never saw (a proposal to you as a mentee that
  was declined or expired before you were told);
- the program admins' working data: matching scores and the explanations shown only to
  them, match runs,
  locks and forbidden pairs, at-risk flags, import files. Constellation keeps no
  admin notes about a person.

What deleting an account does (``account_delete``, one transaction): your open
relationships end ("participant left", so the other people and the admins are told),
your pending requests are withdrawn or declined, your open circle seats are left, the
circles you lead end and your flash offers close; then your account is anonymised
("Deleted participant", an address at deleted.invalid, no usable password, inactive),
your e-mail addresses, two-factor methods, notifications,
notification choices, open invitations, enrolment answers and matching preferences are
deleted, your notes are deleted (shared ones too: a note is nothing but its words), and
every other text you wrote is blanked (flash offer titles, reasons for ending a circle
and invitation messages included). Where other people's notifications and match
suggestions name you or quote your request notes, the name and e-mail address become
"Deleted participant" and the quotes are removed. Every device is signed out without
reading anyone's session: the unusable password no longer matches the session's hash
and an inactive account is refused. The last active staff account is refused, like
the last admin of a program. Kept: the audit trail (append-only, for security: sign-ins
with IP address and browser) and a pending participant import's CSV, until its admin
discards it. The rows program statistics count stay, without
words: memberships (role, dates, cohort, department, seniority), pairings, meetings and
their dates and states, agendas' on-time flags, action items' states, check-in ratings
and review scores; so the health figures of every program stay as they were.
"""

from sessions.personal_data.erase import (
    DELETED_NAME,
    LEFT_REASON,
    REMOVED,
    LastAdminError,
    account_delete,
    deleted_email,
    is_last_staff,
    programs_left_without_admin,
)
from sessions.personal_data.export import FORMAT, export_data, export_filename, export_zip

__all__ = [
    "DELETED_NAME",
    "FORMAT",
    "LEFT_REASON",
    "REMOVED",
    "LastAdminError",
    "account_delete",
    "deleted_email",
    "export_data",
    "export_filename",
    "export_zip",
    "is_last_staff",
    "programs_left_without_admin",
]

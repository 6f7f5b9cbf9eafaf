"""CSV import of participants.

Two passes. ``check()`` reads the whole file and reports every bad row with its
line number and reason, touching nothing. ``participant_import_create()`` then
writes the valid rows in one transaction with bulk queries, unless some row is
bad and the admin did not ask for "valid rows only", in which case nothing is
written. Importing the same file twice changes nothing the second time; a file
with changed rows updates those participants, and a column the file leaves out
leaves that field of existing participants alone.
"""

from programs.imports.apply import participant_import_create, participant_import_valid_rows
from programs.imports.check import COLUMNS, Report, Row, RowError, check, decode

__all__ = [
    "COLUMNS",
    "Report",
    "Row",
    "RowError",
    "check",
    "decode",
    "participant_import_create",
    "participant_import_valid_rows",
]

"""Streaming CSV responses that are safe to open in a spreadsheet."""

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import StreamingHttpResponse

# A cell that starts with one of these is a formula in Excel and LibreOffice.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def stream_rows(rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # a BOM, so that Excel reads the file as UTF-8
    for row in rows:
        yield writer.writerow([safe_cell(v) for v in row])


def csv_response(rows: Iterable[Iterable[Any]], filename: str) -> StreamingHttpResponse:
    """Stream ``rows`` as a CSV download without holding them all in memory."""
    response = StreamingHttpResponse(stream_rows(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response

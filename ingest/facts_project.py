"""Facts of a project that decisions and reports both state: its name label and its period."""

from __future__ import annotations

import re

from . import vocabulary
from .document import Fact
from .fact_reader import FactReader
from .quantities import find_date_ranges, find_dates

PROJECT_NAME_LABEL = vocabulary.label("project_name")
_PERIOD_LABEL = vocabulary.label("project_period")
_PERIOD_CUE = re.compile(
    r"(?i)\b(?:projekt(?:et|en)?\b|projektperiod|projekttid)[^.]*?\b(?:pågå\w*|startade|startar"
    r"|började|inleddes|genomför\w*|avslutade?s?|löpte|löper|drivs|drevs)"
)


def project_period_fact(reader: FactReader) -> Fact | None:
    """The project period, from a "Projektperiod" field or a sentence on when the project ran."""
    field = reader.field(_PERIOD_LABEL)
    if field:
        ranges = find_date_ranges(field.value, default_year=reader.year_hint)
        if ranges:
            first, last = ranges[0]
            value = {"start": first.date.isoformat(), "end": last.date.isoformat()}
            return reader.fact("project_period", value, field.start, field.end)
    for s in reader.sentences_matching(_PERIOD_CUE):
        if re.search(r"(?i)\bskulle\b", s.text):
            continue  # a plan that changed ("skulle pågå till juni men förlängdes")
        dates = find_dates(s.text, default_year=reader.year_hint)
        if len(dates) >= 2:
            value = {
                "start": min(d.date for d in dates).isoformat(),
                "end": max(d.date for d in dates).isoformat(),
            }
            return reader.fact("project_period", value, s.start, s.end)
    return None


"""The values of ``L:`` and ``M:`` fields the reader accepts, checked on music21's tokens before they are used.

music21 takes ``L:-1/4`` as a negative unit note length (every note then moves time backwards) and
``M:1/999...`` as a time signature no Music can hold. A field outside these limits is refused with an
:class:`~muspy_like.errors.ABCError` that quotes it; the reader adds the file and the tune.

The meter limits are those of a valid time signature (:meth:`Music.validate`: a positive numerator, a
denominator that is a power of two), bounded as the MusicXML reader bounds ``<beats>`` and ``<beat-type>``
so that a bar stays a sane number of ticks.
"""

from __future__ import annotations

from typing import Any, Optional

from muspy_like.errors import ABCError
from muspy_like.extras import require

__all__ = ["check_fields", "MAX_METER_NUMERATOR", "MAX_METER_DENOMINATOR", "MAX_UNIT_TERM"]

#: Largest meter numerator (beats in a bar) and denominator (beat type) accepted.
MAX_METER_NUMERATOR = 10_000
MAX_METER_DENOMINATOR = 1024
#: Largest numerator or denominator of a unit note length (``L:1/1024`` to ``L:1024/1``).
MAX_UNIT_TERM = 1024


def check_fields(tokens: list) -> None:
    """Refuse the first ``L:`` or ``M:`` token whose value is outside the limits (see the module notes).

    Parameters
    ----------
    tokens : list
        music21's tokens of one tune (after ``tokenize``, before ``tokenProcess``, which uses the values).

    Raises
    ------
    ABCError
        Quoting the field as written and saying what is wrong with it.
    """
    abcFormat = require("music21.abcFormat", "music21", "ABC notation")

    for token in tokens:
        if not isinstance(token, abcFormat.ABCMetadata):
            continue
        token.preParse()  # sets .tag and .data; tokenProcess does it again, harmlessly
        problem = _unit_problem(token.data) if token.isDefaultNoteLength() else None
        if problem is None and token.isMeter():
            problem = _meter_problem(token)
        if problem is not None:
            raise ABCError(f"field {token.src.strip()!r}: {problem}")


def _unit_problem(value: str) -> Optional[str]:
    """Why an ``L:`` value cannot be a unit note length, None if it can.

    The terms are read as music21 reads them (``int()`` of each side of the ``/``; ``1/G`` is 1/4); a
    value music21 cannot read at all is left to it (the reader then reports that music21 cannot parse it).
    """
    terms = value.split("/")
    if len(terms) != 2:
        return None
    try:
        numerator = int(terms[0].strip())
        denominator = 4 if terms[1].strip() == "G" else int(terms[1].strip())
    except ValueError:
        return None
    if not (1 <= numerator <= MAX_UNIT_TERM and 1 <= denominator <= MAX_UNIT_TERM):
        return (
            f"the unit note length must be a positive fraction of a whole note such as 1/8, with terms "
            f"from 1 to {MAX_UNIT_TERM}"
        )
    return None


def _meter_problem(token: Any) -> Optional[str]:
    """Why an ``M:`` token cannot be a time signature, None if it can or music21 reads no meter from it."""
    try:
        meter = token.getTimeSignatureParameters()
    except Exception:  # M:2+3/8 and other meters music21 cannot read: the reader keeps no meter for them
        return None
    if meter is None:  # M:none
        return None
    numerator, denominator = meter[0], meter[1]
    if not 1 <= numerator <= MAX_METER_NUMERATOR:
        return f"the meter's numerator must be from 1 to {MAX_METER_NUMERATOR} (a time signature's beats)"
    if not 1 <= denominator <= MAX_METER_DENOMINATOR or denominator & (denominator - 1):
        return f"the meter's denominator must be a power of two from 1 to {MAX_METER_DENOMINATOR} (a beat type)"
    return None

"""Tokenize one ABC tune with music21's tokenizer, and group its tokens by voice.

music21's :class:`~music21.abcFormat.ABCHandler` reads notes, chords, rests, lengths, broken rhythms,
tuplets, grace notes, accidentals (carried through the bar) and key signatures into tokens in time linear
in the length of the tune. Building music21 streams from those tokens is what costs time that grows with
the square of the number of bars (its beaming and re-barring steps); the reader therefore stops at the
tokens and builds the Music itself (:mod:`muspy_like.io.abc.voices`).

Two fixes are applied to the text and tokens before music21 processes them: inline fields (``[K:G]``),
which its tokenizer takes for chords, are moved to lines of their own; and locrian keys, which it reads as
major, are handed over as the major key with the same signature (the mode is kept by the reader).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from muspy_like.core.events import KeySignature
from muspy_like.errors import ABCError
from muspy_like.extras import require
from muspy_like.io.abc.fields import INLINE_FIELD, parse_key, sounding_shift, voice_id, voice_name
from muspy_like.io.abc.limits import check_fields
from muspy_like.theory import key_from_tonic, midi_key_name

__all__ = ["TokenizedTune", "Voice", "tokenize_tune", "prepare_text", "default_voice"]

_UNIT_OR_METER = re.compile(r"^[LM]:", re.MULTILINE)


@dataclass
class Voice:
    """The tokens of one voice (``V:`` identifier), in order: notes, chords, rests, bars, K/M/Q fields.

    Parameters
    ----------
    identifier : str
        The ``V:`` identifier (``"1"`` for a tune without voices).
    name : str, optional
        The ``name=`` of its ``V:`` fields.
    tokens : list
        music21 tokens of this voice, in order.
    shift : int, optional
        Semitones from written to sounding pitch set by its ``V:`` fields (octave clefs, ``octave=``,
        ``transpose=``; see :func:`~muspy_like.io.abc.fields.sounding_shift`), None if they set none.
    """

    identifier: str
    name: Optional[str] = None
    tokens: list = field(default_factory=list)
    shift: Optional[int] = None


@dataclass
class TokenizedTune:
    """A tune as music21 tokens: header fields (before any voice), voices, and the original key texts.

    Parameters
    ----------
    header : list
        K, M and Q field tokens that come before the first note or voice: they hold from tick 0 in every
        voice.
    voices : list of Voice
        In order of first appearance.
    tokens : list
        Every token of the tune (metadata included), in order.
    key_texts : dict of int to str
        ``id(token)`` of each ``K:`` token -> its value as written (before the locrian fix).
    """

    header: list
    voices: list[Voice]
    tokens: list
    key_texts: dict[int, str]


def prepare_text(text: str) -> str:
    """The tune text as music21 should see it.

    Each inline field (``[K:G]``, ``[V:2]``) is moved to a line of its own; a tune with neither ``L:`` nor
    ``M:`` gets ``L:1/8`` after its ``X:`` line (ABC 2.1, section 3.1.7: the default unit note length
    without a meter; music21 refuses to read such a tune).
    """
    text = INLINE_FIELD.sub(r"\n\1:\2\n", text)
    if not _UNIT_OR_METER.search(text):
        first, _, rest = text.partition("\n")
        text = f"{first}\nL:1/8\n{rest}"
    return text


def tokenize_tune(text: str, where: str) -> TokenizedTune:
    """Tokenize and process one tune (already prepared with :func:`prepare_text`) with music21.

    Parameters
    ----------
    text : str
        The tune, starting with its ``X:`` line.
    where : str
        Where the tune comes from, for messages (``"book.abc: tune X:3 (line 40)"``).

    Raises
    ------
    ABCError
        If music21 cannot tokenize the tune, or an ``L:`` or ``M:`` field is outside the limits of
        :mod:`~muspy_like.io.abc.limits` (the message quotes the field).
    """
    abcFormat = require("music21.abcFormat", "music21", "ABC notation")

    try:
        handler = abcFormat.ABCHandler()
        handler.parseHeaderForVersionInformation(text[:100])
        handler.tokens = []
        handler.tokenize(text)
        check_fields(handler.tokens)
        key_texts = _hand_locrian_as_major(handler.tokens)
        handler.tokenProcess()
    except ABCError as error:
        raise ABCError(f"{where}: {error}") from error
    except Exception as error:  # music21's ABC tokenizer raises many unrelated types on bad input
        raise ABCError(f"{where}: music21 cannot parse it: {type(error).__name__}: {error}") from error
    header, voices = _group_by_voice(handler.tokens)
    return TokenizedTune(header, voices, handler.tokens, key_texts)


def _hand_locrian_as_major(tokens: list) -> dict[int, str]:
    """Rewrite locrian ``K:`` tokens as the major key with the same signature; return every key's text."""
    abcFormat = require("music21.abcFormat", "music21", "ABC notation")

    texts: dict[int, str] = {}
    for token in tokens:
        head, colon, value = token.src.partition(":")
        if isinstance(token, abcFormat.ABCMetadata) and colon and head.strip() == "K":
            texts[id(token)] = value = value.strip()
            parsed = parse_key(value)
            if parsed is not None and parsed.mode == "locrian":
                fifths = key_from_tonic(0, parsed.tonic, "locrian").fifths
                relative = midi_key_name(KeySignature(time=0, fifths=fifths, mode="major"))
                token.src = f"{head}:{relative} {parsed.rest.strip()}".rstrip()
    return texts


def _group_by_voice(tokens: list) -> tuple[list, list[Voice]]:
    """Header fields, and the tokens of each voice.

    ABC 2.1: ``V:`` fields in the header declare voices (and their names); in the body each ``V:`` field
    switches to that voice, and a voice may come back any number of times (its music continues). Music
    before the first ``V:`` of the body belongs to the first voice the header declares, or to voice 1 when
    the header declares none. (music21 starts a new part at
    every ``V:`` field whose identifier starts with a digit, and ignores the others.)
    """
    abcFormat = require("music21.abcFormat", "music21", "ABC notation")

    default = default_voice(
        [t.src for t in tokens if isinstance(t, abcFormat.ABCMetadata) and (t.isVoice() or t.isKey())]
    )
    voices: dict[str, Voice] = {}
    header: list = []
    current: Optional[Voice] = None
    in_header = True
    for token in tokens:
        if isinstance(token, abcFormat.ABCMetadata):
            if token.isVoice():
                current = voices.setdefault(voice_id(token.data), Voice(voice_id(token.data)))
                current.name = current.name or voice_name(token.data)
                shift = sounding_shift(token.data)
                current.shift = current.shift if shift is None else shift
                continue
            if not (token.isKey() or token.isMeter() or token.isTempo()):
                continue
            if in_header or current is None:
                header.append(token)
            else:
                current.tokens.append(token)
            if in_header and token.isKey():  # K: ends the header: the body starts in the first voice
                in_header, current = False, None
        elif isinstance(token, (abcFormat.ABCNote, abcFormat.ABCBar)):
            if current is None:
                current = voices.setdefault(default, Voice(default))
            current.tokens.append(token)
    return header, [voice for voice in voices.values() if _has_music(voice)]


def default_voice(fields: list[str]) -> str:
    """The voice of music that comes before any ``V:`` of the body: the first one the header declares, else 1.

    (abc2midi assigns it to voice 1 too: ``abc ... V:2 ... V:1 ...`` is two voices.) ``fields`` are the
    ``V:`` and ``K:`` field lines of the tune in order (the first ``K:`` ends the header).
    """
    for line in fields:
        if line.startswith("K:"):
            break
        if line.startswith("V:"):
            return voice_id(line[2:])
    return "1"


def _has_music(voice: Voice) -> bool:
    abcFormat = require("music21.abcFormat", "music21", "ABC notation")

    return any(isinstance(token, abcFormat.ABCNote) for token in voice.tokens)

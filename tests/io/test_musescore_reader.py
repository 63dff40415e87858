"""MuseScore reader on MusPy's MuseScore test files (MuseScore 1.14, 2.06 and 3.02).

Two independent checks here: the LilyPond-suite files that MuseScore converted from MusicXML must give
the notes our MusicXML reader gives for the original (itself checked by hand in ``test_musicxml_reader``),
and hand-read facts from the files. The comparison with MusPy's reader on every file is in
``test_musescore_muspy``.
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from muspy_like.errors import MuseScoreError
from muspy_like.io.musescore import read_musescore
from muspy_like.io.musicxml import read_musicxml

# MuseScore's conversion changed these files: 13a keeps 30 of the 46 keys (none beyond 7 accidentals),
# 33i turned the unterminated ties into complete ones (so their notes differ); it also started 11a in 4/4
# and gave 73a no percussion staff (signatures and drum flags are therefore not compared).
CONVERSION_CHANGED = {"13a-KeySignatures", "33i-Ties-NotEnded"}


def rows(music, track=None):
    r = music.resolution
    tracks = music.tracks if track is None else [music.tracks[track]]
    return [sorted((F(int(a), r), int(p), F(int(d), r), int(v))
                   for a, p, d, v in zip(t.notes.time, t.notes.pitch, t.notes.duration, t.notes.velocity))
            for t in tracks]


def lilypond_pairs(testdata_dir):
    for path in sorted((testdata_dir / "musescore-lilypond").glob("*.mscx")):
        yield path, testdata_dir / "musicxml-lilypond" / (path.stem + ".xml")


def test_same_notes_as_the_musicxml_originals(testdata_dir):
    compared = 0
    for mscx, xml in lilypond_pairs(testdata_dir):
        if mscx.stem in CONVERSION_CHANGED:
            continue
        ours, original = read_musescore(mscx).validate(), read_musicxml(xml)
        assert [[n[:3] for n in track] for track in rows(ours)] == [[n[:3] for n in track] for track in
                                                                   rows(original)], mscx.name
        expected_lyrics = [[(F(x.time, original.resolution), x.lyric) for x in t.lyrics] for t in original.tracks]
        if mscx.stem == "31a-Directions":
            expected_lyrics[0].remove((F(55), "subp"))  # MuseScore has no lyrics on rests: the converter dropped it
        assert [[(F(x.time, ours.resolution), x.lyric) for x in t.lyrics] for t in ours.tracks] == expected_lyrics
        # MuseScore stores tempo in quarters per second with 10 decimals (1600 qpm -> 26.6666666667).
        assert [(F(t.time, ours.resolution), round(t.qpm, 6)) for t in ours.tempos] == [
            (F(t.time, original.resolution), t.qpm) for t in original.tempos], mscx.name
        assert [(t.name or "").split() for t in ours.tracks] == [(t.name or "").split() for t in original.tracks], mscx.name
        compared += 1
    assert compared == 27


def test_repeats_expand_like_musicxml(testdata_dir):
    for stem in ("45a-SimpleRepeat", "45b-RepeatWithAlternatives"):
        ours = read_musescore(testdata_dir / "musescore-lilypond" / f"{stem}.mscx", expand_repeats=True)
        original = read_musicxml(testdata_dir / "musicxml-lilypond" / f"{stem}.xml", expand_repeats=True)
        assert rows(ours) == rows(original), stem
    for stem in ("dcalfine", "dsalfine", "dsalcoda"):
        ours = read_musescore(testdata_dir / "musescore" / f"{stem}.mscx", expand_repeats=True)
        original = read_musicxml(testdata_dir / "musicxml" / f"{stem}.xml", expand_repeats=True)
        assert [(t, p, d) for t, p, d, _ in rows(ours)[0]] == [(t, p, d) for t, p, d, _ in rows(original)[0]], stem


def test_hand_read_facts(testdata_dir):
    music = read_musescore(testdata_dir / "musescore-lilypond" / "33i-Ties-NotEnded.mscx")
    # MuseScore tied notes 1-2 and 3-4-5 (Spanner type="Tie" with next/prev).
    assert [n[:3] for n in rows(music)[0]] == [(0, 72, 8), (8, 72, 12)]
    music = read_musescore(testdata_dir / "musescore-lilypond" / "23a-Tuplets.mscx")
    assert music.resolution == 3360  # lcm(480, 7): the 7:3 tuplet is exact
    assert [n[2] for n in rows(music)[0]].count(F(3, 7)) == 7
    music = read_musescore(testdata_dir / "musescore-lilypond" / "90a-Compressed-MuseScore.mscz")
    assert music.tracks[0].program == 52 and music.tracks[0].name == "Voice"  # <program value="52"/>
    assert (music.key_signatures[0].fifths, music.key_signatures[0].root_str) == (3, "A")


def test_lyrics_keep_their_syllabic(testdata_dir):
    """``<Lyrics><syllabic>`` of 61a: "Tra-la-li" is three syllables of one word, "Ja!" a word."""
    music = read_musescore(testdata_dir / "musescore-lilypond" / "61a-Lyrics.mscx")
    assert [(F(x.time, music.resolution), x.lyric) for x in music.tracks[0].lyrics] == [
        (0, "Tra -"), (1, "- la -"), (2, "- li"), (3, "Ja!"), (5, "Tra -"), (7, "- ra!"), (9, "Bah!")
    ]


@pytest.mark.parametrize("name", ["v1.mscx", "v2.mscx"])
def test_old_musescore_versions(testdata_dir, name):
    music = read_musescore(testdata_dir / "musescore" / name)
    # Both files: a C major scale in quarters at 120 qpm (tempo 2 quarters per second).
    assert [n[:3] for n in rows(music)[0]] == [(i, p, 1) for i, p in enumerate([60, 62, 64, 65, 67, 69, 71, 72])]
    assert [(t.time, t.qpm) for t in music.tempos] == [(0, 120.0)]
    assert music.tracks[0].name == "Piano"


def test_fur_elise_plain_and_compressed_and_clair_de_lune(testdata_dir):
    plain = read_musescore(testdata_dir / "musescore" / "fur-elise.mscx")
    packed = read_musescore(testdata_dir / "musescore" / "fur-elise.mscz")
    assert rows(plain) == rows(packed)
    assert plain.tracks[0].notes.pitch[:3].tolist() == [76, 75, 76]
    music = read_musescore(testdata_dir / "musescore" / "clair-de-lune.mscx")
    # Measure 3 (9/8, starts at 9 quarters), voice 2: <location> 3/8 then a dotted half B flat 4.
    assert any(t == F(21, 2) and p == 70 for t, p, _, _ in rows(music)[0])
    assert music.time_signatures[0].numerator == 9 and music.time_signatures[0].denominator == 8


def test_errors_name_the_file(tmp_path, testdata_dir):
    broken = tmp_path / "broken.mscx"
    broken.write_bytes((testdata_dir / "musescore" / "v2.mscx").read_bytes()[:2000])
    with pytest.raises(MuseScoreError, match="broken.mscx: not well-formed"):
        read_musescore(broken)
    attack = tmp_path / "attack.mscx"
    attack.write_text('<!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]><museScore>&x;</museScore>')
    with pytest.raises(MuseScoreError, match="attack.mscx.*entities"):
        read_musescore(attack)
    wrong = tmp_path / "wrong.mscx"
    wrong.write_text("<score-partwise/>")
    with pytest.raises(MuseScoreError, match="wrong.mscx.*<museScore>"):
        read_musescore(wrong)
    bad_duration = tmp_path / "bad.mscx"
    bad_duration.write_text(
        '<museScore version="3.02"><Score><Division>480</Division><Part><Staff id="1"/></Part>'
        '<Staff id="1"><Measure><voice><Chord><durationType>sixth</durationType>'
        "<Note><pitch>60</pitch></Note></Chord></voice></Measure></Staff></Score></museScore>"
    )
    with pytest.raises(MuseScoreError, match="bad.mscx: staff 1.*sixth"):
        read_musescore(bad_duration)
    with pytest.raises(MuseScoreError, match="absent.mscz"):
        read_musescore(tmp_path / "absent.mscz")


def test_every_copyright_line_is_kept(testdata_dir):
    """51c-MultipleRights.mscx holds two <metaTag name="copyright"> lines (read by hand), as the MusicXML
    original holds two <rights>."""
    music = read_musescore(testdata_dir / "musescore-lilypond" / "51c-MultipleRights.mscx")
    assert music.metadata.copyright == "Copyright © XXXX by Y. ZZZZ.\nReleased To The Public Domain."
    original = read_musicxml(testdata_dir / "musicxml-lilypond" / "51c-MultipleRights.xml")
    assert music.metadata.copyright == original.metadata.copyright


def test_ties_follow_the_open_ties_policy(tmp_path):
    """A tie start with no end joins the next note of its pitch and voice (default) or stays as written."""
    chords = "".join(
        f"<Chord><durationType>quarter</durationType><Note>{tie}<pitch>60</pitch></Note></Chord>"
        for tie in ('<Tie id="1"/>', "", "")
    )
    other_voice = "<Chord><durationType>half</durationType><Note><pitch>60</pitch></Note></Chord>"
    path = tmp_path / "ties.mscx"
    path.write_text(
        '<museScore version="3.02"><Score><Division>480</Division><Part><Staff id="1"/></Part><Staff id="1">'
        f"<Measure><voice>{chords}<Rest><durationType>quarter</durationType></Rest></voice>"
        f"<voice><Rest><durationType>quarter</durationType></Rest>{other_voice}</voice></Measure>"
        "</Staff></Score></museScore>"
    )
    joined = rows(read_musescore(path))[0]
    assert [n[:3] for n in joined] == [(0, 60, 2), (1, 60, 2), (2, 60, 1)]  # the voice-2 C4 is not joined
    kept = rows(read_musescore(path, open_ties="keep"))[0]
    assert [n[:3] for n in kept] == [(0, 60, 1), (1, 60, 1), (1, 60, 2), (2, 60, 1)]
    with pytest.raises(ValueError, match="open_ties='sometimes'"):
        read_musescore(path, open_ties="sometimes")

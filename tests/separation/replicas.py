"""Small replicas of the paper's downloadable datasets, in each dataset's real layout.

Each builder writes real MIDI files (notes taken from music21's corpus, read with our MusicXML reader)
named, tracked and programmed as the real dataset's files are, packs them the way the real download is
packed, and returns the archive bytes with what the recipe should make of them:

* MusicNet: ``musicnet_midis.tar.gz`` (``musicnet_midis/<Composer>/<id>_<name>.mid``) and
  ``musicnet_metadata.csv`` (MusicNet's columns);
* NES-MDB: ``nesmdb_midi.tar.gz`` (``nesmdb_midi/{train,valid,test}/<game id>_<Game>_<song id>_<Song>.mid``,
  tracks ``p1 p2 tr no``, 22,050 ticks per quarter at 120 qpm);
* Lakh MIDI: ``lmd_matched.tar.gz`` (``lmd_matched/A/B/C/<MSD id>/<md5>.mid``, General MIDI programs,
  drums on channel 10) and LPD's ``cleansed_ids.txt``.
"""

from __future__ import annotations

import dataclasses
import io
import tarfile
from pathlib import Path

import numpy as np

from muspy_like import Music, Note, Tempo, Track
from muspy_like.datasets import get_spec
from muspy_like.io.midi.reader import read_midi
from muspy_like.io.midi.writer import encode_midi

CORPUS = Path(__import__("music21").__file__).resolve().parent / "corpus"
#: Small string-quartet movements of music21's corpus (file, composer folder).
QUARTET_SOURCES = ["mozart/k80/movement3.mxl", "mozart/k156/movement4.mxl", "haydn/opus1no1/movement4.mxl",
                   "mozart/k80/movement4.mxl", "haydn/opus1no1/movement2.mxl", "mozart/k155/movement2.mxl"]
#: Chorales whose four voices become the replicas' melodic tracks.
CHORALE_SOURCES = ["bach/bwv1.6.mxl", "bach/bwv10.7.mxl", "bach/bwv101.7.mxl", "bach/bwv102.7.mxl",
                   "bach/bwv103.6.mxl", "bach/bwv104.6.mxl", "bach/bwv108.6.mxl", "bach/bwv11.6.mxl"]


def corpus_tracks(relative: str) -> Music:
    """A corpus score read with our MusicXML reader (one track per part)."""
    from muspy_like.io.musicxml.reader import read_musicxml

    return read_musicxml(CORPUS / relative)


def tar_gz(members: dict[str, bytes]) -> bytes:
    """A gzip-compressed tar archive of ``name -> bytes``."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def renamed(music: Music, names: list[str], programs: list[int] | None = None) -> Music:
    """The score's tracks under new names (and programs), in the same order."""
    tracks = [Track(name=name, program=(programs or [0] * len(names))[i], notes=music.tracks[i].notes.copy())
              for i, name in enumerate(names)]
    return Music(resolution=music.resolution, tempos=[Tempo(0, 120.0)], time_signatures=music.time_signatures,
                 tracks=tracks)


# -- MusicNet ----------------------------------------------------------------------------------------
MUSICNET_COLUMNS = "id,composer,composition,movement,ensemble,source,transcriber,catalog_name,seconds"


def musicnet_replica() -> dict:
    """MusicNet MIDI archive and metadata.

    ``expected`` maps each kept piece to its MIDI file read back and the part of each of its tracks (as
    the test knows it, independently of the recipe's rules).
    """
    quartets = [corpus_tracks(path) for path in QUARTET_SOURCES]
    standard = ["Violin 1", "Violin 2", "Viola", "Cello"]
    files, rows, expected = {}, [], {}

    def add(identifier, composer, stem, music, ensemble="String Quartet", movement="1. Allegro", work=None):
        data = encode_midi(music)
        files[f"musicnet_midis/{composer}/{identifier}_{stem}.mid"] = data
        rows.append(f'{identifier},{composer},"{work or stem}",{movement},{ensemble},European Archive,'
                    f"unknown,{stem},300")
        return read_midi(data)

    for index, (identifier, names) in enumerate([
        (2494, standard), (2497, ["Violino I", "Violino II", "Viola", "Violoncello"]),
        (2501, ["1st Violin", "2nd Violin", "Viola", "Cello"]),
    ]):
        written = add(identifier, "Beethoven", f"qt{index}_1", renamed(quartets[index], names))
        expected[f"{identifier}_qt{index}_1"] = (written, {0: 0, 1: 1, 2: 2, 3: 3})
    # A second recording of the first movement: same notes, same group, another file.
    written = add(2495, "Beethoven", "qt0_1", renamed(quartets[0], standard), work="qt0_1")
    expected["2495_qt0_1"] = (written, {0: 0, 1: 1, 2: 2, 3: 3})
    # Dvorak op. 96 mvt 2, mapped by position: each part split over two tracks, in the script's order.
    dvorak = quartets[3]
    halves = []
    for track in dvorak.tracks:
        middle = len(track.notes) // 2
        halves.append((track.notes[:middle], track.notes[middle:]))
    tracks = [Track(name=f"Track {i}", notes=halves[i % 4][i // 4]) for i in range(8)]
    written = add(1931, "Dvorak", "dv96_2", Music(resolution=dvorak.resolution, tempos=[Tempo(0, 100.0)],
                                                  tracks=tracks))
    expected["1931_dv96_2"] = (written, {i: i % 4 for i in range(8)})
    # A quartet whose tracks name no part, and one with a single real part: both skipped.
    add(2600, "Mozart", "qt_unnamed", renamed(quartets[4], ["Track 1", "Track 2", "Track 3", "Track 4"]))
    thin = renamed(quartets[5], standard)
    for track in thin.tracks[1:]:
        track.notes = track.notes[:5]
    add(2601, "Mozart", "qt_thin", thin)
    # Not a string quartet: left out by the metadata, though its tracks would match.
    add(2186, "Bach", "vs6_1", renamed(quartets[5], standard), ensemble="Solo Violin")
    metadata = "\n".join([MUSICNET_COLUMNS] + rows) + "\n"
    return {"archive": tar_gz(files), "metadata": metadata.encode(), "expected": expected,
            "skipped": {"2600_qt_unnamed": "no-part", "2601_qt_thin": "too-few-notes"}}


# -- NES-MDB -----------------------------------------------------------------------------------------
NES_RESOLUTION = 22050


def nes_song(chorale: Music, seed: int, voices: tuple[int, ...] = (0, 1, 3)) -> Music:
    """A chorale's voices as NES tracks p1, p2, tr (at NES-MDB's 22,050 ticks per quarter), plus noise."""
    rng = np.random.default_rng(seed)
    scale = NES_RESOLUTION / chorale.resolution
    tracks = []
    for name, voice in zip(("p1", "p2", "tr"), voices):
        source = chorale.tracks[voice].notes
        notes = [Note(round(t * scale), int(p), round(d * scale), int(rng.integers(1, 16)))
                 for t, p, d in zip(source.time.tolist(), source.pitch, source.duration.tolist())]
        tracks.append(Track(name=name, program=80 if name != "tr" else 38, notes=notes))
    noise = [Note(i * NES_RESOLUTION // 2, int(rng.integers(0, 16)), NES_RESOLUTION // 4, 8) for i in range(40)]
    tracks.append(Track(name="no", program=121, notes=noise))
    return Music(resolution=NES_RESOLUTION, tempos=[Tempo(0, 120.0)], tracks=tracks)


def nes_replica() -> dict:
    """NES-MDB's MIDI archive: 6 songs over the three split folders, one noise-only song, one solo song."""
    chorales = [corpus_tracks(path) for path in CHORALE_SOURCES]
    layout = [("train", "297_SkyKid_00_01StartMusic"), ("train", "297_SkyKid_01_02Stage"),
              ("train", "322_SuperMarioBros__00_01RunningAbout"), ("train", "322_SuperMarioBros__01_02Underground"),
              ("valid", "014_Arkanoid_00_01Start"), ("test", "421_Zelda_00_01Title")]
    files, expected = {}, {}
    for index, (split, stem) in enumerate(layout):
        song = nes_song(chorales[index], seed=index)
        files[f"nesmdb_midi/{split}/{stem}.mid"] = encode_midi(song)
        expected[stem] = (split, song)
    noise_only = nes_song(chorales[6], seed=6)
    noise_only.tracks = noise_only.tracks[3:]
    files["nesmdb_midi/test/421_Zelda_01_02Noise.mid"] = encode_midi(noise_only)
    solo = nes_song(chorales[7], seed=7)
    solo.tracks = [solo.tracks[0], solo.tracks[3]]
    files["nesmdb_midi/train/014_Arkanoid_01_02Solo.mid"] = encode_midi(solo)
    return {"archive": tar_gz(files), "expected": expected,
            "skipped": {"421_Zelda_01_02Noise": "no-part", "014_Arkanoid_01_02Solo": "too-few-notes"}}


# -- Lakh MIDI, LPD-cleansed -------------------------------------------------------------------------
def lmd_path(msd_id: str, md5: str) -> str:
    return f"lmd_matched/{msd_id[2]}/{msd_id[3]}/{msd_id[4]}/{msd_id}/{md5}.mid"


def pop_song(chorale: Music, programs: tuple[int, ...], drums: bool = True) -> Music:
    """A chorale's voices on General MIDI programs, a drum track on channel 10 and an organ (dropped)."""
    tracks = [Track(name=f"voice {i}", program=program, notes=chorale.tracks[i].notes.copy())
              for i, program in enumerate(programs)]
    tracks.append(Track(name="Organ", program=19, notes=chorale.tracks[0].notes.copy()))
    if drums:
        beat = chorale.resolution
        tracks.append(Track(name="Drums", is_drum=True, notes=[Note(i * beat, 36, beat // 2) for i in range(32)]))
    return Music(resolution=chorale.resolution, tempos=[Tempo(0, 100.0)], tracks=tracks)


def lmd_replica() -> dict:
    """lmd_matched archive and LPD's cleansed ID list; ``expected`` maps each kept md5 to its notes per part."""
    chorales = [corpus_tracks(path) for path in CHORALE_SOURCES]
    songs = {
        ("TRAAAGR128F425B14B", "1a0b4bd2e1d8f1b6a4e0d5f2c3b9a7e1"): pop_song(chorales[0], (0, 25, 48, 33)),
        ("TRAABCD12903CDF0A1", "2b1c5ce3f2e9a2c7b5f1e6a3d4c0b8f2"): pop_song(chorales[1], (4, 29, 61, 34)),
        ("TRBBXYZ128F9300C2E", "3c2d6df4a3fab3d8c6a2f7b4e5d1c9a3"): pop_song(chorales[2], (1, 26, 50, 38)),
        ("TRBCQRS12903CE4E27", "4d3e7e05b4abc4e9d7b3a8c5f6e2dab4"): pop_song(chorales[3], (2, 56, 44, 32)),
        ("TRCCMNO128F42A1F10", "5e4f8f16c5bcd5fae8c4b9d6a7f3ebc5"): pop_song(chorales[4], (0, 27, 49, 35)),
    }
    files = {lmd_path(msd, md5): encode_midi(song) for (msd, md5), song in songs.items()}
    expected = {}
    for (msd, md5), song in songs.items():
        counts = [0] * 5
        for track, part in zip(song.tracks[:4], [_pop_part(t.program) for t in song.tracks[:4]]):
            counts[part] += len(track.notes)
        expected[md5] = counts
    # The same file matched to a second song: the list names one path, only that one is read.
    first_msd, first_md5 = next(iter(songs))
    files[lmd_path("TRZZZZZ128F4213ABC", first_md5)] = files[lmd_path(first_msd, first_md5)]
    # A song of drums only, one over 20 minutes, one listed but absent from the archive.
    drums_only = pop_song(chorales[5], (0, 25, 48, 33))
    drums_only.tracks = drums_only.tracks[-1:]
    long_song = pop_song(chorales[6], (0, 25, 48, 33))
    long_song.tracks[0].notes.append(Note(100 * 60 * 21 * long_song.resolution // 60, 60, 24))
    extra = {("TRDDAAA128F4291A11", "6f5a9a27d6cde6abf9d5cae7b8a4fcd6"): drums_only,
             ("TRDDBBB128F4291A12", "7a6bab38e7def7bca1e6dbf8c9b5ade7"): long_song}
    files.update({lmd_path(msd, md5): encode_midi(song) for (msd, md5), song in extra.items()})
    absent = ("8b7cbc49f8efa8cdb2f7ecaadac6bef8", "TRDDCCC128F4291A13")
    # The list may name one file under two songs: its second line is a duplicate, not a second piece.
    twice = (first_md5, "TRZZZZZ128F4213ABC")
    ids = [(md5, msd) for msd, md5 in list(songs) + list(extra)] + [absent, twice]
    id_list = "".join(f"{md5}    {msd}\n" for md5, msd in ids).encode()
    skipped = {"6f5a9a27d6cde6abf9d5cae7b8a4fcd6": "no-part", "7a6bab38e7def7bca1e6dbf8c9b5ade7": "too-long",
               "8b7cbc49f8efa8cdb2f7ecaadac6bef8": "missing"}
    return {"archive": tar_gz(files), "ids": id_list, "expected": expected, "skipped": skipped,
            "drum_notes": 32 * len(songs)}


def _pop_part(program: int) -> int:
    from muspy_like.separation.recipes.lmd import program_part

    return program_part(program)


# -- serving -----------------------------------------------------------------------------------------
def serve(server, catalog_name: str, files: dict[str, bytes]):
    """Serve ``filename -> bytes`` and return the catalog entry pointing there (real name, files, splits)."""
    from dataset_testing import source_for

    sources = []
    for original in get_spec(catalog_name).sources:
        data = files[original.filename]
        server.add(f"/{original.filename}", data=data)
        sources.append(source_for(data, server.url(f"/{original.filename}"), name=original.filename,
                                  archive=original.archive))
    return dataclasses.replace(get_spec(catalog_name), sources=tuple(sources))

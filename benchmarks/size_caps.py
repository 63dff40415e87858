"""The real files the size caps of ``muspy_like.limits`` were sized against, and what a bomb costs.

Measures, on the shared data and music21's bundled corpus: the native JSON size of the largest real piece
we have (Mahler, 60k notes), the largest compressed score (``.mxl``) member and the highest compression
ratio of one, and the compression ratios of MIDI and plain MusicXML in ``tar.gz``. Then builds a
``.json.gz`` decompression bomb (3 GiB of text in about 3 MB, the case of issue 13) and loads it in a
fresh interpreter: the time to refuse it and the peak memory of that interpreter.

Also the cost of strict parsing (duplicate keys, depth, alias bombs: ``muspy_like.io.schema.strict``)
against the plain parsers on the same text: native JSON (few objects) and MusPy-style JSON (one object per
note, where the duplicate-key hook runs per note), best of five.

Run: ``python -m benchmarks size_caps`` (writes ``benchmarks/results/size_caps.md|json``).
"""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
import tarfile
import tempfile
import zipfile
import zlib
from pathlib import Path

from benchmarks.harness import SHARED_DIR, best_time, machine_info, markdown_table, save_results

_BOMB_BYTES = 3 << 30


def _music21_corpus() -> Path:
    import music21

    return Path(music21.__file__).resolve().parent / "corpus"


def _largest_mxl(corpus: Path) -> tuple[int, float, str]:
    """Largest uncompressed score in the corpus's .mxl files, and the highest ratio of any of them."""
    largest, ratio, name = 0, 0.0, ""
    for path in corpus.rglob("*.mxl"):
        with zipfile.ZipFile(path) as bundle:
            for info in bundle.infolist():
                if info.filename.startswith("META-INF/") or not info.compress_size:
                    continue
                ratio = max(ratio, info.file_size / info.compress_size)
                if info.file_size > largest:
                    largest, name = info.file_size, str(path.relative_to(corpus))
    return largest, ratio, name


def _tar_gz_ratio(paths: list[Path]) -> float:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as bundle:
        for path in paths:
            bundle.add(path, arcname=path.name)
    return sum(p.stat().st_size for p in paths) / len(buffer.getvalue())


def _write_bomb(path: Path) -> int:
    """A valid gzip stream of a JSON string 3 GiB long, written without holding it in memory."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip container
    block = b" " * (1 << 20)
    with open(path, "wb") as handle:
        handle.write(compressor.compress(b'{"schema_version": "1.0", "resolution": 24, "tracks": [], "x": "'))
        for _ in range(_BOMB_BYTES >> 20):
            handle.write(compressor.compress(block))
        handle.write(compressor.compress(b'"}'))
        handle.write(compressor.flush())
    return path.stat().st_size


_LOAD_BOMB = """
import resource, sys, time
from muspy_like import load
from muspy_like.errors import SizeLimitError
start = time.perf_counter()
try:
    load(sys.argv[1])
    outcome = "loaded"
except SizeLimitError as error:
    outcome = "SizeLimitError"
except MemoryError:
    outcome = "MemoryError"
print(outcome, time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _strict_parsing_rows(music) -> tuple[list[list], dict]:
    from muspy_like.io import native
    from muspy_like.io.schema.strict import parse_json

    native_text = native.dumps(music, "json")
    muspy_style = json.dumps({
        "metadata": {"schema_version": "0.0"}, "resolution": music.resolution,
        "tracks": [{"program": int(t.program), "is_drum": bool(t.is_drum), "notes": [
            {"time": int(a), "pitch": int(b), "duration": int(c), "velocity": int(d)}
            for a, b, c, d in zip(t.notes.time, t.notes.pitch, t.notes.duration, t.notes.velocity)]}
            for t in music.tracks],
    })
    rows, figures = [], {}
    for label, text in (("native JSON (Mahler)", native_text), ("MusPy-style JSON (Mahler)", muspy_style)):
        plain = best_time(lambda: json.loads(text), repeat=5)
        strict = best_time(lambda: parse_json(text, "x", 100), repeat=5)
        figures[label] = {"json.loads_s": plain, "strict_s": strict}
        rows.append([label, f"{len(text) / 1e6:.2f} MB", f"{plain * 1e3:.0f} ms", f"{strict * 1e3:.0f} ms", f"{strict / plain:.2f}x"])
    return rows, figures


def main() -> dict:
    from muspy_like import limits
    from muspy_like.io import native, read

    caps = limits.current()
    mahler = read(SHARED_DIR / "bench" / "mahler.mid")
    text = native.dumps(mahler, "json").encode()
    notes = sum(len(track.notes) for track in mahler.tracks)
    midi = (SHARED_DIR / "bench" / "mahler.mid").read_bytes()
    corpus = _music21_corpus()
    largest, mxl_ratio, largest_name = _largest_mxl(corpus)
    xml_files = sorted(p for p in corpus.rglob("*") if p.suffix in (".xml", ".musicxml"))
    figures = {
        "mahler_notes": notes,
        "mahler_native_json_bytes": len(text),
        "native_json_bytes_per_note": len(text) / notes,
        "mahler_native_json_gzip_ratio": len(text) / len(gzip.compress(text)),
        "mahler_midi_gzip_ratio": len(midi) / len(gzip.compress(midi)),
        "largest_mxl_member_bytes": largest,
        "largest_mxl_member": largest_name,
        "highest_mxl_member_ratio": mxl_ratio,
        "musicxml_tar_gz_ratio": _tar_gz_ratio(xml_files),
        "musicxml_files": len(xml_files),
    }
    with tempfile.TemporaryDirectory() as folder:
        bomb = Path(folder) / "bomb.json.gz"
        figures["bomb_file_bytes"] = _write_bomb(bomb)
        outcome, seconds, peak_kib = subprocess.run(
            [sys.executable, "-c", _LOAD_BOMB, str(bomb)], check=True, capture_output=True, text=True,
            cwd=Path(__file__).resolve().parents[1],
        ).stdout.split()
    figures.update(bomb_outcome=outcome, bomb_refused_seconds=float(seconds), bomb_peak_rss_mib=int(peak_kib) / 1024)

    rows = [
        ["document_bytes", "64 MiB", f"Mahler as native JSON: {len(text) / 1e6:.2f} MB ({notes:,} notes, "
         f"{figures['native_json_bytes_per_note']:.1f} bytes/note)", f"{caps.document_bytes / len(text):.0f}x"],
        ["score_member_bytes", "128 MiB", f"largest .mxl score in music21's corpus: {largest / 1e6:.1f} MB "
         f"({largest_name})", f"{caps.score_member_bytes / largest:.0f}x"],
        ["archive_ratio", f"{caps.archive_ratio:g}", f"MusicXML tar.gz {figures['musicxml_tar_gz_ratio']:.1f}x "
         f"({len(xml_files)} files), one .mxl member up to {mxl_ratio:.1f}x, MIDI gzip "
         f"{figures['mahler_midi_gzip_ratio']:.1f}x", f"{caps.archive_ratio / max(mxl_ratio, figures['musicxml_tar_gz_ratio']):.1f}x"],
    ]
    table = markdown_table(["cap", "default", "largest real case measured", "margin"], rows)
    table += (
        f"\n\nA {figures['bomb_file_bytes'] / 1e6:.1f} MB `.json.gz` that expands to {_BOMB_BYTES / 2**30:.0f} GiB: "
        f"`load()` raised {outcome} after {float(seconds):.2f} s, peak memory of the whole interpreter "
        f"{figures['bomb_peak_rss_mib']:.0f} MiB (the cap is 64 MiB)."
    )
    parse_rows, figures["strict_parsing"] = _strict_parsing_rows(mahler)
    table += "\n\nStrict parsing against the standard parser, same text:\n\n" + markdown_table(
        ["document", "size", "json.loads", "strict", "ratio"], parse_rows
    )
    save_results("size_caps", {"figures": figures, "machine": machine_info(["music21"])}, table)
    print(table)
    print(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main()

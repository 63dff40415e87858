"""The main job, end to end, on the embedded default (music21's bundled Bach chorales, no network).

Steps, each writing into its own folder of ``out_dir``:

1. ``cache/``: the Bach chorales of music21's corpus read with our MusicXML reader and converted in
   parallel to a cache (native JSON per piece plus a columnar store), with a failure report.
2. ``report/``: dataset statistics of the cached pieces: CSV, JSON summary, PNG plots, ``report.html``.
3. ``separation/``: the part-separation baselines of Dong et al. (ISMIR 2021) evaluated on the fixed
   8:1:1 split and a few random splits, as a markdown table and JSON, next to the paper's figures.
4. ``separated/``: a few chorales merged to one stream and separated again into a string quartet by the
   zone-based model trained on the training split, written as multitrack MIDI files.
5. ``audio/``: those pieces rendered with the dependency-free synthesizer (mix and one stem per part),
   watermarked with the time-spread echo of Tralie et al. (2024), written as WAV with a manifest.
6. ``detection.csv``: detection on every written file, with the z-score and the decision.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional, Union

if TYPE_CHECKING:
    from muspy_like.core.music import Music

__all__ = ["QuickstartResult", "run_quickstart"]

#: Baselines evaluated by default: the fast ones (the MLP adds about a minute per split; ``with_mlp``).
FAST_METHODS = ("zone", "zone-oracle", "closest-pitch", "closest-pitch-mono")


@dataclass
class QuickstartResult:
    """What :func:`run_quickstart` wrote and measured."""

    out_dir: Path
    paths: dict[str, Path] = field(default_factory=dict)
    figures: dict[str, object] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        """A human-readable account of the run: steps, times, figures and paths."""
        lines = [f"muspy-like quickstart: everything is in {self.out_dir}", ""]
        for step, seconds in self.seconds.items():
            lines.append(f"  {step:<12} {seconds:7.1f} s")
        lines.append("")
        for name, value in self.figures.items():
            lines.append(f"  {name}: {value}")
        lines.append("")
        for name, path in self.paths.items():
            lines.append(f"  {name:<18} {path}")
        return "\n".join(lines)


def run_quickstart(
    out_dir: Union[str, Path],
    n_jobs: int = 2,
    n_splits: int = 2,
    n_pieces: int = 3,
    with_mlp: bool = False,
    composer: str = "bach",
    progress: bool = True,
    log: Optional[Callable[[str], None]] = print,
) -> QuickstartResult:
    """Run the whole pipeline on music21's bundled corpus and write everything into ``out_dir``.

    Parameters
    ----------
    out_dir : str or Path
        Output folder (created if needed; files of an earlier run are replaced).
    n_jobs : int, default 2
        Worker processes for conversion and statistics.
    n_splits : int, default 2
        Random splits evaluated in addition to the fixed split (the benchmark uses 10).
    n_pieces : int, default 3
        Pieces separated, rendered and watermarked.
    with_mlp : bool, default False
        Also train and evaluate the MLP baselines (slower).
    composer : str, default "bach"
        Composer of music21's corpus to use for the conversion and statistics steps.
    progress : bool, default True
        Show progress bars.
    log : callable, optional
        Receives one line per step (``print`` by default; ``None`` for silence).

    Returns
    -------
    QuickstartResult
        Paths written, figures measured and seconds per step; ``.summary()`` formats them.
    """
    from muspy_like.audio.watermark import EchoWatermark, detect, watermark_dataset
    from muspy_like.datasets import Music21Dataset, convert, load_cached
    from muspy_like.files import atomic_write_text
    from muspy_like.separation import ZoneSeparator, evaluate_baselines, fixed_split, load_bach, separate
    from muspy_like.statistics import write_report

    say = log or (lambda message: None)
    from muspy_like.files import prepare_output_folder

    if n_jobs < 1 or n_splits < 0 or n_pieces < 1:
        raise ValueError(f"need n_jobs >= 1, n_splits >= 0 and n_pieces >= 1; got {n_jobs}, {n_splits}, {n_pieces}")
    out = prepare_output_folder(out_dir)
    result = QuickstartResult(out_dir=out)

    def step(name: str, message: str) -> float:
        say(f"[{len(result.seconds) + 1}/6] {message}")
        return time.perf_counter()

    started = step("convert", f"converting music21's {composer} corpus to a cache ({n_jobs} processes)")
    dataset = Music21Dataset(composer, extensions=[".mxl", ".xml", ".musicxml"])
    conversion = convert(dataset, out / "cache", n_jobs=n_jobs, progress=progress)
    cached = load_cached(out / "cache")
    result.seconds["convert"] = time.perf_counter() - started
    result.figures["pieces converted"] = f"{len(cached)} of {len(dataset)} ({len(conversion.failures)} failures)"
    result.paths["cache"] = out / "cache"

    started = step("statistics", "computing dataset statistics and writing the HTML report")
    pieces = [cached[i] for i in range(len(cached))]
    report = write_report(pieces, out / "report", n_jobs=n_jobs, progress=progress,
                          title=f"music21 corpus: {composer}")
    result.seconds["statistics"] = time.perf_counter() - started
    result.paths["report"] = report["html"]
    result.figures["notes in corpus"] = sum(music.n_notes for music in pieces)

    started = step("separation", "evaluating the part-separation baselines on the Bach chorales")
    chorales = load_bach(progress=progress)
    methods = list(FAST_METHODS) + (["mlp", "mlp-oracle"] if with_mlp else [])
    table = evaluate_baselines(chorales, n_splits=n_splits, methods=methods)
    separation_dir = out / "separation"
    separation_dir.mkdir(exist_ok=True)
    atomic_write_text(separation_dir / "results.md", table.to_markdown() + "\n")
    atomic_write_text(separation_dir / "results.json", json.dumps(table.to_dict(), indent=2, default=str) + "\n")
    result.seconds["separation"] = time.perf_counter() - started
    result.paths["separation table"] = separation_dir / "results.md"

    started = step("separate", f"separating {n_pieces} chorales into string quartets (zone-based model)")
    split = fixed_split(chorales.names)
    train = chorales.subset(split.train)
    model = ZoneSeparator().fit(train.notes, train.labels)
    held_out = {chorales.names[i] for i in split.test}
    chosen = [music for music in pieces if _stem(music) in held_out][:n_pieces] or pieces[:n_pieces]
    separated_dir = out / "separated"
    separated_dir.mkdir(exist_ok=True)
    separated = []
    for music in chosen:
        parts = separate(music, model, ensemble="string_quartet")
        parts.write(separated_dir / f"{_stem(music)}.mid")
        separated.append(parts)
    result.seconds["separate"] = time.perf_counter() - started
    result.paths["separated MIDI"] = separated_dir

    started = step("audio", "rendering mix and stems with the synthesizer and embedding the echo watermark")
    watermark = EchoWatermark()
    manifest = watermark_dataset(separated, out / "audio", watermark=watermark, engine="synth", stems=True,
                                 progress=progress)
    result.seconds["audio"] = time.perf_counter() - started
    result.paths["audio"] = out / "audio"

    started = step("detect", "detecting the watermark in every written file")
    rows = detect(out / "audio", watermark=watermark, report=out / "detection.csv", progress=progress)
    result.seconds["detect"] = time.perf_counter() - started
    detected = sum(1 for row in rows if row["marked"])
    result.figures["watermark detected"] = f"{detected} of {len(rows)} files ({len(manifest)} written)"
    result.paths["detection report"] = out / "detection.csv"
    return result


def _stem(music: "Music") -> str:
    """The file name of a piece without its extension (``bwv1.6`` for ``bwv1.6.mxl``)."""
    name = Path(music.metadata.source_filename or music.metadata.title or "piece").name
    for suffix in (".mxl", ".musicxml", ".xml", ".mid", ".json"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name

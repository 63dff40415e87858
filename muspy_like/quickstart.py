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
6. ``detection.csv``: detection on every file this run wrote, with the z-score and the decision.
"""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Optional, Union

if TYPE_CHECKING:
    from muspy_like.audio.watermark import EchoWatermark
    from muspy_like.audio.watermark.pipeline import DatasetManifest
    from muspy_like.core.music import Music
    from muspy_like.separation.dataset import SeparationDataset

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
        Output folder (created if needed). Files this run writes replace those of an earlier run; files
        of an earlier run that this one does not write again (say, of more pieces) are left in place,
        and neither counted nor scored: detection covers the files of this run's manifest.
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
    if n_jobs < 1 or n_splits < 0 or n_pieces < 1:
        raise ValueError(f"need n_jobs >= 1, n_splits >= 0 and n_pieces >= 1; got {n_jobs}, {n_splits}, {n_pieces}")
    from muspy_like.extras import require_extra

    require_extra("quickstart", "the quickstart")
    from muspy_like.audio.watermark import EchoWatermark
    from muspy_like.files import prepare_output_folder

    run = _Run(QuickstartResult(out_dir=prepare_output_folder(out_dir)), n_jobs, progress, log, EchoWatermark())
    pieces = _convert(run, composer)
    _statistics(run, pieces, composer)
    chorales = _evaluate_separation(run, n_splits, with_mlp)
    separated = _separate(run, chorales, pieces, n_pieces)
    manifest = _render_and_mark(run, separated)
    _detect(run, manifest)
    return run.result


@dataclass
class _Run:
    """The state the steps of :func:`run_quickstart` share: the result so far and the run's settings."""

    result: QuickstartResult
    n_jobs: int
    progress: bool
    log: Optional[Callable[[str], None]]
    watermark: "EchoWatermark"

    @property
    def out(self) -> Path:
        return self.result.out_dir

    @contextmanager
    def step(self, name: str, message: str) -> Iterator[None]:
        """Announce step ``name`` and record its wall time in seconds."""
        if self.log is not None:
            self.log(f"[{len(self.result.seconds) + 1}/{len(STEPS)}] {message}")
        started = time.perf_counter()
        yield
        self.result.seconds[name] = time.perf_counter() - started


#: The steps of :func:`run_quickstart`, in order (the names of ``QuickstartResult.seconds``).
STEPS = ("convert", "statistics", "separation", "separate", "audio", "detect")


def _convert(run: _Run, composer: str) -> list["Music"]:
    """Step 1: convert the composer's pieces of music21's corpus to ``cache/``; return the cached pieces."""
    from muspy_like.datasets import Music21Dataset, convert, load_cached

    cache = run.out / "cache"
    with run.step("convert", f"converting music21's {composer} corpus to a cache ({run.n_jobs} processes)"):
        dataset = Music21Dataset(composer, extensions=[".mxl", ".xml", ".musicxml"])
        conversion = convert(dataset, cache, n_jobs=run.n_jobs, progress=run.progress)
        cached = load_cached(cache)
        pieces = [cached[i] for i in range(len(cached))]
    run.result.figures["pieces converted"] = f"{len(cached)} of {len(dataset)} ({len(conversion.failures)} failures)"
    run.result.paths["cache"] = cache
    return pieces


def _statistics(run: _Run, pieces: list["Music"], composer: str) -> None:
    """Step 2: the statistics report of the cached pieces in ``report/``."""
    from muspy_like.statistics import write_report

    with run.step("statistics", "computing dataset statistics and writing the HTML report"):
        report = write_report(pieces, run.out / "report", n_jobs=run.n_jobs, progress=run.progress,
                              title=f"music21 corpus: {composer}")
    run.result.paths["report"] = report["html"]
    run.result.figures["notes in corpus"] = sum(music.n_notes for music in pieces)


def _evaluate_separation(run: _Run, n_splits: int, with_mlp: bool) -> "SeparationDataset":
    """Step 3: the separation baselines on the fixed and ``n_splits`` random splits, in ``separation/``;
    return the chorales for the next step."""
    from muspy_like.files import atomic_write_text
    from muspy_like.separation import evaluate_baselines, load_bach

    folder = run.out / "separation"
    with run.step("separation", "evaluating the part-separation baselines on the Bach chorales"):
        chorales = load_bach(progress=run.progress)
        methods = list(FAST_METHODS) + (["mlp", "mlp-oracle"] if with_mlp else [])
        table = evaluate_baselines(chorales, n_splits=n_splits, methods=methods)
        folder.mkdir(exist_ok=True)
        atomic_write_text(folder / "results.md", table.to_markdown() + "\n")
        atomic_write_text(folder / "results.json", json.dumps(table.to_dict(), indent=2, default=str) + "\n")
    run.result.paths["separation table"] = folder / "results.md"
    return chorales


def _separate(run: _Run, chorales: "SeparationDataset", pieces: list["Music"], n_pieces: int) -> list["Music"]:
    """Step 4: ``n_pieces`` held-out chorales separated into string quartets by the zone model trained on
    the fixed split's training part, written to ``separated/``; return the separated pieces."""
    from muspy_like.separation import ZoneSeparator, fixed_split, separate

    folder = run.out / "separated"
    with run.step("separate", f"separating {n_pieces} chorales into string quartets (zone-based model)"):
        split = fixed_split(chorales.names)
        train = chorales.subset(split.train)
        model = ZoneSeparator().fit(train.notes, train.labels)
        held_out = {chorales.names[i] for i in split.test}
        chosen = [music for music in pieces if _stem(music) in held_out][:n_pieces] or pieces[:n_pieces]
        folder.mkdir(exist_ok=True)
        separated = []
        for music in chosen:
            parts = separate(music, model, ensemble="string_quartet")
            parts.write(folder / f"{_stem(music)}.mid")
            separated.append(parts)
    run.result.paths["separated MIDI"] = folder
    return separated


def _render_and_mark(run: _Run, separated: list["Music"]) -> "DatasetManifest":
    """Step 5: mix and stems of each separated piece rendered, watermarked and written to ``audio/``."""
    from muspy_like.audio.watermark import watermark_dataset

    with run.step("audio", "rendering mix and stems with the synthesizer and embedding the echo watermark"):
        manifest = watermark_dataset(separated, run.out / "audio", watermark=run.watermark, engine="synth",
                                     stems=True, progress=run.progress)
    run.result.paths["audio"] = run.out / "audio"
    return manifest


def _detect(run: _Run, manifest: "DatasetManifest") -> None:
    """Step 6: detection on the files this run wrote (the manifest's rows, not whatever ``audio/`` holds
    from earlier runs), reported in ``detection.csv``."""
    from muspy_like.audio.watermark import detect

    report = run.out / "detection.csv"
    written = [run.out / "audio" / str(row["file"]) for row in manifest]
    with run.step("detect", "detecting the watermark in every file this run wrote"):
        rows = detect(written, watermark=run.watermark, report=report, progress=run.progress)
    detected = sum(1 for row in rows if row["marked"])
    run.result.figures["watermark detected"] = f"{detected} of {len(rows)} files ({len(manifest)} written)"
    run.result.paths["detection report"] = report


def _stem(music: "Music") -> str:
    """The file name of a piece without its extension (``bwv1.6`` for ``bwv1.6.mxl``)."""
    name = Path(music.metadata.source_filename or music.metadata.title or "piece").name
    for suffix in (".mxl", ".musicxml", ".xml", ".mid", ".json"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name

"""Auditing a generative model's outputs for the echo watermarks of its suspected training data.

After Tralie, Amery, Douglas and Utz, "Hidden Echoes Survive Training in Audio To Audio Generative
Instrument Models" (arXiv:2412.10649): a dataset owner marks every clip of the training audio with the
same echo; a model trained on it reproduces the echo in what it generates; the owner scores a folder of
the model's outputs for the candidate watermarks and asks whether the scores are higher than unmarked
audio would give.

:func:`audit` reads every clip once (block by block, resampled to the watermarks' rate when needed),
scores it for every candidate (one :class:`~muspy_like.audio.watermark.detect.CepstrumAccumulator` per
file serves them all), and aggregates per candidate: the mean z, the share of clips over the threshold,
a one-sided test against the null distribution of unmarked audio with its p-value (which test and which
null: :mod:`muspy_like.audio.watermark.significance`), the AUROC against a reference folder of
known-clean audio when one is given, and Holm's correction over the candidates, from which it says which
candidate is present. :func:`~muspy_like.audio.watermark.audit_report.write_audit_report` writes the
tables, the histogram and the HTML page.

A file that cannot be read or scored is listed in ``failures`` with its reason; it never stops the audit.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Optional, Sequence, Union

import numpy as np

from muspy_like.audio.audiofile import audio_info, read_blocks
from muspy_like.audio.watermark.detect import (
    DEFAULT_FRAME,
    THRESHOLD,
    accumulate_blocks,
    cepstrum_zscore,
    lags_needed,
    spread_echo_zscores,
)
from muspy_like.audio.watermark.echo import EchoWatermark
from muspy_like.audio.watermark.sequences import spread_sequence
from muspy_like.audio.watermark.significance import (
    TESTS,
    auroc,
    decoy_test,
    holm,
    normal_test,
    reference_test,
)
from muspy_like.errors import MuspyLikeError, WatermarkError

__all__ = [
    "audit",
    "AuditResult",
    "CandidateAudit",
    "ClipScore",
    "candidate_watermarks",
    "watermark_label",
    "NULLS",
    "DEFAULT_SIGNIFICANCE",
    "DEFAULT_DECOYS",
]

#: Null hypotheses :func:`audit` can test against (see :func:`audit` for what "auto" picks).
NULLS = ("auto", "normal", "reference", "decoys")
#: Family-wise error rate at which a candidate is declared present.
DEFAULT_SIGNIFICANCE = 0.01
#: Decoy spread sequences per candidate for the decoy null.
DEFAULT_DECOYS = 999

Paths = Union[str, Path, Iterable[Union[str, Path]]]


def watermark_label(watermark: EchoWatermark) -> str:
    """A short name: ``single d=75``, ``single d=50+100``, ``spread d=75 seed=3`` (plus alpha when not the paper's)."""
    from muspy_like.audio.watermark.echo import PAPER_ALPHA

    lags = "+".join(str(d) for d in watermark.deltas)
    label = f"{watermark.method} d={lags}"
    if watermark.method == "spread":
        label += f" seed={watermark.seed}"
        if watermark.length != 1024:
            label += f" L={watermark.length}"
    if any(a != PAPER_ALPHA[watermark.method] for a in watermark.alphas):
        label += " a=" + "+".join(f"{a:g}" for a in watermark.alphas)
    return label


def candidate_watermarks(methods: Sequence[str] = ("spread",), deltas: Sequence[int] = (75,),
                         seeds: Sequence[int] = (0,), alpha: Optional[float] = None,
                         sample_rate: int = 44100) -> list[EchoWatermark]:
    """The candidates of a command line: each single-echo lag alone; each (lag, seed) pair of the spread method.

    Parameters
    ----------
    methods : sequence of {"single", "spread"}
        Methods to test.
    deltas : sequence of int
        Lags in samples at ``sample_rate``.
    seeds : sequence of int
        Seeds of the spread sequences (ignored for single echoes).
    alpha : float, optional
        Echo strength (it does not change the scores; kept for the labels and the report).
    sample_rate : int
        The rate the lags are counted at, in Hz.
    """
    found: list[EchoWatermark] = []
    for method in dict.fromkeys(methods):
        for delta in dict.fromkeys(deltas):
            for seed in (dict.fromkeys(seeds) if method == "spread" else (0,)):
                found.append(EchoWatermark(method, delta=int(delta), alpha=alpha, seed=int(seed),
                                           sample_rate=sample_rate))
    return found


@dataclass
class ClipScore:
    """One scored clip: a file, or a stretch of one (``clip_seconds``).

    Attributes
    ----------
    file : str
        The audio file, as given or found.
    clip : str
        ``""`` for a whole file, else its stretch, e.g. ``"10-20 s"``.
    group : {"suspect", "reference"}
        Which folder it came from.
    sample_rate : int
        The file's rate, in Hz.
    resampled : bool
        Resampled to the watermarks' rate before scoring (band limited to 95 % of the lower Nyquist frequency).
    seconds : float
        Length of the clip, in seconds.
    n_frames : int
        Non-silent analysis frames averaged.
    z : dict of str to float
        Score per candidate label.
    """

    file: str
    clip: str
    group: str
    sample_rate: int
    resampled: bool
    seconds: float
    n_frames: int
    z: dict[str, float] = field(default_factory=dict)


@dataclass
class CandidateAudit:
    """The verdict on one candidate watermark.

    Attributes
    ----------
    label : str
        :func:`watermark_label` of the watermark.
    watermark : dict
        Its parameters (:meth:`EchoWatermark.to_dict`).
    n_clips : int
        Suspect clips scored.
    mean_z, sd_z, median_z : float
        Of the suspect clips' z-scores.
    share_over_threshold : float
        Fraction of suspect clips with ``z >= threshold``.
    statistic : float
        The test statistic (see :data:`~muspy_like.audio.watermark.significance.TESTS`).
    p_value, log10_p : float
        One-sided p-value of the test, and its log10 (finite where the p-value underflows).
    adjusted_p : float
        Holm-adjusted p-value over the candidates.
    present : bool
        ``adjusted_p < significance``.
    auroc : float or None
        Suspect against reference clips (None without a reference).
    reference_clips : int
        Reference clips scored.
    reference_mean_z, reference_share_over_threshold : float or None
        Of the reference clips.
    decoy_mean_z, decoy_sd_z : float or None
        Mean and spread, over the decoys, of each decoy's mean z (decoy null only).
    """

    label: str
    watermark: dict[str, object]
    n_clips: int
    mean_z: float
    sd_z: float
    median_z: float
    share_over_threshold: float
    statistic: float = math.nan
    p_value: float = math.nan
    log10_p: float = math.nan
    adjusted_p: float = math.nan
    present: bool = False
    auroc: Optional[float] = None
    reference_clips: int = 0
    reference_mean_z: Optional[float] = None
    reference_share_over_threshold: Optional[float] = None
    decoy_mean_z: Optional[float] = None
    decoy_sd_z: Optional[float] = None


@dataclass
class AuditResult:
    """Everything an audit found; :func:`~muspy_like.audio.watermark.audit_report.write_audit_report` writes it.

    Attributes
    ----------
    candidates : list of CandidateAudit
        One per candidate, in the order given.
    clips : list of ClipScore
        Every scored clip, suspect then reference.
    failures : list of dict
        ``file, group, error, message`` for each file that could not be read or scored.
    silent : list of str
        Files with no frame above -80 dBFS (nothing to score; not failures).
    null : str
        The null hypothesis tested ("normal", "reference" or "decoys").
    test : str
        What the test is, in words.
    threshold, significance : float
        The per-clip decision threshold on z, and the family-wise error rate of the verdict.
    sample_rate : int
        The rate the candidates' lags are counted at, in Hz.
    notes : list of str
        What the reader should know (resampled files, a test that could not be run).
    decoy_z : dict of str to ndarray
        Per candidate, the suspect clips' z for each decoy, shape ``(n_clips, n_decoys)`` (decoy null only).
    """

    candidates: list[CandidateAudit]
    clips: list[ClipScore]
    failures: list[dict[str, str]]
    silent: list[str]
    null: str
    test: str
    threshold: float
    significance: float
    sample_rate: int
    notes: list[str] = field(default_factory=list)
    decoy_z: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def present(self) -> list[str]:
        """Labels of the candidates found present, strongest evidence first."""
        found = [c for c in self.candidates if c.present]
        return [c.label for c in sorted(found, key=lambda c: (c.log10_p, -c.mean_z))]

    @property
    def n_scored(self) -> int:
        """Suspect clips scored."""
        return sum(1 for clip in self.clips if clip.group == "suspect")

    @property
    def verdict(self) -> str:
        """One sentence: which candidate is present, or that none is."""
        if not self.n_scored:
            return "nothing could be scored"
        if any(math.isnan(c.p_value) for c in self.candidates):
            return "the test could not be run (see the notes)"
        if not self.present:
            return (f"no candidate is present at a family-wise error rate of {self.significance:g} "
                    f"({len(self.candidates)} tested, Holm's correction)")
        return (f"present: {', '.join(self.present)} (family-wise error rate {self.significance:g}, "
                f"{len(self.candidates)} candidate(s), Holm's correction)")

    def scores(self, label: str, group: str = "suspect") -> np.ndarray:
        """The z-scores of one candidate over the clips of one group."""
        return np.array([clip.z[label] for clip in self.clips if clip.group == group], dtype=np.float64)

    def to_dict(self) -> dict[str, object]:
        """Plain values for JSON (decoy scores summarised per candidate, not listed)."""
        return {
            "verdict": self.verdict,
            "present": self.present,
            "null": self.null,
            "test": self.test,
            "correction": "Holm",
            "threshold": self.threshold,
            "significance": self.significance,
            "sample_rate": self.sample_rate,
            "notes": self.notes,
            "candidates": [asdict(c) for c in self.candidates],
            "clips": [asdict(c) for c in self.clips],
            "failures": self.failures,
            "silent": self.silent,
        }


def audit(
    suspect: Paths,
    candidates: Union[EchoWatermark, Sequence[EchoWatermark]],
    reference: Optional[Paths] = None,
    null: str = "auto",
    threshold: float = THRESHOLD,
    significance: float = DEFAULT_SIGNIFICANCE,
    clip_seconds: Optional[float] = None,
    band_hz: Optional[tuple[float, float]] = None,
    resample: bool = True,
    decoys: int = DEFAULT_DECOYS,
    seed: int = 0,
    progress: bool = False,
) -> AuditResult:
    """Score a model's outputs for candidate watermarks and test whether any of them is present.

    Parameters
    ----------
    suspect : path, folder, or iterable of paths
        The suspect model's outputs (folders are searched recursively for audio files).
    candidates : EchoWatermark or sequence of EchoWatermark
        The watermarks to test (all with the same ``sample_rate``); see :func:`candidate_watermarks`.
    reference : path, folder, or iterable of paths, optional
        Known-clean audio of the same kind (outputs of a model trained on clean data, or clean renders):
        the null distribution for the reference test and the negatives of the AUROC.
    null : {"auto", "normal", "reference", "decoys"}
        The null hypothesis (:mod:`~muspy_like.audio.watermark.significance`). "auto": "reference" when a
        reference is given; else "decoys" when every candidate is a spread echo (immune to the per-seed
        offsets of the spread detector); else "normal". "decoys" needs spread candidates.
    threshold : float, default 5
        Per-clip decision threshold on z, for the share over it.
    significance : float, default 0.01
        Family-wise error rate: a candidate is present when its Holm-adjusted p-value is below it.
    clip_seconds : float, optional
        Cut each file into clips of this length (stretches with fewer than half their frames above
        -80 dBFS are left out); None scores each file as one clip.
    band_hz : (low, high), optional
        Band-limited cepstrum, in Hz, for every file (files that are resampled are limited to 95 % of the
        lower Nyquist frequency anyway).
    resample : bool, default True
        Resample files at another rate than the candidates' (reported per clip and in ``notes``); False
        lists them as failures instead.
    decoys : int, default 999
        Decoy sequences for the decoy null (p-values are at least ``1 / (1 + decoys)``: with 999 decoys and
        Holm's correction, up to 9 candidates can be declared present at 0.01).
    seed : int
        Seed of the decoy sequences.
    progress : bool
        Show a tqdm progress bar over the files.

    Returns
    -------
    AuditResult

    Raises
    ------
    WatermarkError
        No candidate, candidates at different rates, an unknown null, the decoy null for single echoes,
        the reference null without a reference, bad thresholds, or no audio file found at all.

    Examples
    --------
    >>> result = audit("outputs/", [EchoWatermark("spread", seed=s) for s in range(8)],
    ...                reference="clean_outputs/")  # doctest: +SKIP
    >>> result.verdict  # doctest: +SKIP
    'present: spread d=75 seed=3 (family-wise error rate 0.01, 8 candidate(s), Holm's correction)'
    """
    marks = [candidates] if isinstance(candidates, EchoWatermark) else list(candidates)
    null = _check_arguments(marks, reference, null, threshold, significance, clip_seconds, decoys)
    rate = marks[0].sample_rate
    labels = [watermark_label(mark) for mark in marks]
    if len(set(labels)) != len(labels):
        raise WatermarkError("the candidates must differ (two of them are the same watermark)")
    decoy_seeds = _decoy_seeds(marks, decoys, seed) if null == "decoys" else []
    scorers = {label: _Scorer(mark, decoy_seeds) for label, mark in zip(labels, marks)}
    n_lags = max(lags_needed(mark) for mark in marks)

    from muspy_like.audio.watermark.pipeline import _audio_files, _progress

    groups = [("suspect", _audio_files(suspect))]
    if reference is not None:
        groups.append(("reference", _audio_files(reference)))
    from muspy_like.audio.arguments import spell
    from muspy_like.audio.watermark.pipeline import AUDIO_EXTENSIONS

    for (group, files), given in zip(groups, (suspect, reference)):
        if not files:
            where = _describe(given) if group == "suspect" else f"{spell('reference')} {_describe(given)}"
            raise WatermarkError(f"no audio files ({', '.join(AUDIO_EXTENSIONS)}) found in {where}")
    clips: list[ClipScore] = []
    failures: list[dict[str, str]] = []
    silent: list[str] = []
    decoy_rows: dict[str, list[np.ndarray]] = {label: [] for label in scorers if decoy_seeds}
    for group, files in groups:
        for path in _progress(files, progress, f"scoring {group}"):
            try:
                scored = _score_file(path, group, scorers, rate, n_lags, band_hz, clip_seconds, resample)
            except MuspyLikeError as error:
                message = str(error) if str(path) in str(error) else f"{path}: {error}"
                failures.append({"file": str(path), "group": group, "error": type(error).__name__,
                                 "message": message})
                continue
            if not scored:
                silent.append(str(path))
            for clip, decoy_scores in scored:
                clips.append(clip)
                if group == "suspect":
                    for label, values in decoy_scores.items():
                        decoy_rows[label].append(values)
    result = AuditResult([], clips, failures, silent, null, TESTS[null], threshold, significance, rate)
    result.decoy_z = {label: np.array(rows, dtype=np.float64).reshape(len(rows), len(decoy_seeds))
                      for label, rows in decoy_rows.items()}
    _notes(result, groups)
    result.candidates = _aggregate(result, marks, labels)
    return result


def _check_arguments(marks: list[EchoWatermark], reference: object, null: str, threshold: float,
                     significance: float, clip_seconds: Optional[float], decoys: int) -> str:
    from muspy_like.audio.arguments import check_seconds, spell

    if not marks:
        raise WatermarkError("give at least one candidate watermark")
    if len({mark.sample_rate for mark in marks}) > 1:
        raise WatermarkError("the candidates' lags must be counted at one sample rate")
    if null not in NULLS:
        raise WatermarkError(f"{spell('null')} must be one of {', '.join(NULLS)}, not {null!r}")
    if null == "auto":
        if reference is not None:
            null = "reference"
        else:
            null = "decoys" if all(mark.method == "spread" for mark in marks) else "normal"
    if null == "reference" and reference is None:
        raise WatermarkError(f"the reference null needs known-clean audio: pass {spell('reference', 'FOLDER')}")
    if null == "decoys":
        if any(mark.method != "spread" for mark in marks):
            raise WatermarkError("the decoy null draws other spread sequences, so every candidate must use the "
                                 "spread method; for single echoes give known-clean audio as the reference")
        if not isinstance(decoys, int) or decoys < 19:
            raise WatermarkError(f"{spell('decoys')} must be a whole number of at least 19, got {decoys!r}")
    if not (isinstance(threshold, (int, float)) and math.isfinite(threshold)):
        raise WatermarkError(f"{spell('threshold')} must be a finite number, got {threshold!r}")
    if not (isinstance(significance, (int, float)) and 0 < significance < 1):
        raise WatermarkError(f"{spell('significance')} must be between 0 and 1, got {significance!r}")
    if clip_seconds is not None:
        check_seconds(clip_seconds, "clip_seconds", 2 * DEFAULT_FRAME, include_low=True)
    return null


def _decoy_seeds(marks: list[EchoWatermark], count: int, seed: int) -> list[int]:
    """``count`` seeds of the spread sequence that no candidate uses, drawn from ``seed``."""
    taken = {mark.seed for mark in marks}
    rng = np.random.default_rng(seed)
    seeds: list[int] = []
    while len(seeds) < count:
        value = int(rng.integers(0, 2**31))
        if value not in taken:
            taken.add(value)
            seeds.append(value)
    return seeds


class _Scorer:
    """Scores a cepstrum for one candidate and its decoys (other spread sequences of its lag and length)."""

    def __init__(self, mark: EchoWatermark, decoy_seeds: Sequence[int] = ()) -> None:
        self.mark = mark
        self.n_decoys = len(decoy_seeds)
        if mark.method == "spread":
            self.sequences = np.stack([mark.sequence] + [spread_sequence(s, mark.length) for s in decoy_seeds])

    def __call__(self, cepstrum: np.ndarray) -> np.ndarray:
        """The candidate's z, then each decoy's."""
        if self.mark.method == "spread":
            return spread_echo_zscores(cepstrum, self.sequences, self.mark.deltas[0])
        return np.array([cepstrum_zscore(cepstrum, self.mark)])


def _score_file(path: Path, group: str, scorers: dict[str, _Scorer], rate: int, n_lags: int,
                band_hz: Optional[tuple[float, float]], clip_seconds: Optional[float],
                resample: bool) -> list[tuple[ClipScore, dict[str, np.ndarray]]]:
    """The clips of one file, each with its candidates' z and (suspect files) its decoys' z."""
    info = audio_info(path)
    accumulator = accumulate_blocks(read_blocks(path), info.sample_rate, rate, n_lags, band_hz,
                                    segment=clip_seconds, resample=resample)
    cepstra, counts, _ = accumulator.cepstra()
    if clip_seconds is None:
        stretches = [("", accumulator.cepstrum(), int(counts.sum()), info.seconds)] if counts.sum() else []
    else:
        full = accumulator.segment_length / accumulator.hop
        stretches = []
        for index, cepstrum, count in zip(accumulator.segment_indices, cepstra, counts.tolist()):
            start = index * clip_seconds
            end = min((index + 1) * clip_seconds, info.seconds)
            if count >= full / 2:
                stretches.append((f"{start:g}-{end:g} s", cepstrum, count, end - start))
    scored = []
    for name, cepstrum, count, seconds in stretches:
        scores = {label: scorer(cepstrum) for label, scorer in scorers.items()}
        z = {label: float(values[0]) for label, values in scores.items()}
        decoy_scores = {label: values[1:] for label, values in scores.items() if group == "suspect" and len(values) > 1}
        clip = ClipScore(str(path), name, group, info.sample_rate, info.sample_rate != rate, round(seconds, 3),
                         count, z)
        scored.append((clip, decoy_scores))
    return scored


def _notes(result: AuditResult, groups: list[tuple[str, list[Path]]]) -> None:
    resampled: dict[tuple[str, int], set[str]] = {}
    for clip in result.clips:
        if clip.resampled:
            resampled.setdefault((clip.group, clip.sample_rate), set()).add(clip.file)
    for (group, rate), files in sorted(resampled.items()):
        band = 0.95 * min(rate, result.sample_rate) / 2
        result.notes.append(f"{len(files)} {group} file(s) at {rate} Hz were resampled to {result.sample_rate} Hz "
                            f"and scored on 0-{band:,.0f} Hz")
    for group, files in groups:
        failed = sum(1 for failure in result.failures if failure["group"] == group)
        if failed:
            result.notes.append(f"{failed} of {len(files)} {group} file(s) could not be scored (see the failures)")
    if result.silent:
        result.notes.append(f"{len(result.silent)} silent file(s) had nothing to score")
    if result.null == "reference" and not any(clip.group == "reference" for clip in result.clips):
        result.notes.append("no reference clip could be scored, so the reference test and the AUROC could not be run")


def _aggregate(result: AuditResult, marks: list[EchoWatermark], labels: list[str]) -> list[CandidateAudit]:
    summaries = []
    for mark, label in zip(marks, labels):
        z = result.scores(label)
        z = z[np.isfinite(z)]
        if not len(z):
            summaries.append(CandidateAudit(label, mark.to_dict(), 0, math.nan, math.nan, math.nan, math.nan))
            continue
        summary = CandidateAudit(label, mark.to_dict(), len(z), float(z.mean()), float(z.std(ddof=1)) if len(z) > 1
                                 else 0.0, float(np.median(z)), float(np.mean(z >= result.threshold)))
        reference = result.scores(label, "reference")
        reference = reference[np.isfinite(reference)]
        if len(reference):
            summary.reference_clips = len(reference)
            summary.reference_mean_z = float(reference.mean())
            summary.reference_share_over_threshold = float(np.mean(reference >= result.threshold))
            summary.auroc = auroc(z, reference)
        test = None
        if result.null == "normal":
            test = normal_test(z)
        elif result.null == "reference" and len(reference):
            test = reference_test(z, reference)
        elif result.null == "decoys":
            decoy_means = result.decoy_z[label].mean(axis=0)
            summary.decoy_mean_z, summary.decoy_sd_z = float(decoy_means.mean()), float(decoy_means.std(ddof=1))
            test = decoy_test(summary.mean_z, decoy_means)
        if test is not None:
            summary.statistic, summary.p_value, summary.log10_p = test.statistic, test.p_value, test.log10_p
        summaries.append(summary)
    tested = [s for s in summaries if not math.isnan(s.p_value)]
    if tested:
        for summary, adjusted in zip(tested, holm([s.p_value for s in tested])):
            summary.adjusted_p = float(adjusted)
            summary.present = bool(adjusted < result.significance)
    if result.null == "normal" and any(mark.method == "spread" for mark in marks):
        result.notes.append("the normal null assumes clip z-scores centred on 0; for the spread method each seed "
                            "carries an offset shared by all audio of one source (up to about +-2 on renders), which "
                            "the sum over clips magnifies: prefer a reference folder or the decoy null")
    return summaries


def _describe(paths: Paths) -> str:
    items = [paths] if isinstance(paths, (str, Path)) else list(paths)
    return ", ".join(str(item) for item in items) or "(nothing given)"

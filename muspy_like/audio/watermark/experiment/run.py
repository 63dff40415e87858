"""The survival experiment: mark rendered training audio, train DDSP instruments, audit what they generate.

Following Tralie et al. (arXiv:2412.10649), whose DDSP models reproduced the echo of their training data
(z 15-29 on their outputs; clean-trained models -0.6 to 0.7; AUROC about 1 for the time-spread pattern):

1. four-part Bach chorales from music21's corpus, each voice rendered alone with its own timbre
   (:mod:`~muspy_like.audio.watermark.experiment.corpus`), split by piece into training and held-out pieces;
2. one copy of the training parts per model: clean, marked with a single echo (lag 75, alpha 0.4), marked
   with a time-spread echo (lag 75, alpha 0.01, 1024 chips), and the single echo again with pitch-shift
   augmentation during training;
3. one DDSP instrument per copy, conditioned on the score's pitch, the audio's loudness and the voice's
   instrument, trained with the same seed and steps (:mod:`~muspy_like.audio.watermark.experiment.training`);
4. every model generates the held-out parts from their pitch and loudness; the outputs are written as 16-bit
   WAV, and also coded as MP3 (128 kbit/s) and resampled to 22.05 kHz;
5. :func:`~muspy_like.audio.watermark.audit.audit` scores each marked-trained model's outputs for its
   watermark against the clean-trained model's outputs (same inputs, same coding) as the reference.

The clean renders of the held-out parts and the clean-trained outputs also measure how the detector's
clip z-scores behave on unmarked audio (mean, spread, Kolmogorov-Smirnov test against N(0, 1)).
"""

from __future__ import annotations

import math
import shutil
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable, Optional, Sequence, Union

import numpy as np

from muspy_like.audio.watermark.echo import EchoWatermark, embed
from muspy_like.audio.watermark.experiment.corpus import VOICES, RenderedPart, chorale_paths, quantize_16_bit, render_parts
from muspy_like.audio.watermark.experiment.features import loudness_db
from muspy_like.audio.watermark.experiment.training import TrainingConfig, TrainingPart, pick_device, synthesize, train
from muspy_like.errors import WatermarkError

__all__ = ["ModelSpec", "ExperimentConfig", "ExperimentResult", "run_experiment", "default_models", "OUTPUT_CONDITIONS",
           "PAPER_DDSP"]

RATE = 44100
#: How the outputs are presented to the audit.
OUTPUT_CONDITIONS = ("as generated", "MP3 128 kbit/s", "resampled to 22.05 kHz")
#: The paper's DDSP figures (Tralie et al., arXiv:2412.10649, figures 4-5 and 8).
PAPER_DDSP = {
    "single echo z, marked-trained": "15 to 29",
    "single echo z, clean-trained": "-0.6 to 0.7",
    "time-spread AUROC against the clean-trained model": "about 1",
}


@dataclass(frozen=True)
class ModelSpec:
    """One model of the experiment: the watermark in its training copy and its augmentation.

    Parameters
    ----------
    name : str
        Label in the tables ("clean", "single", "spread", "single, pitch-shift 50%").
    watermark : EchoWatermark, optional
        Embedded in every training part (None: the clean copy).
    pitch_shift : float
        Probability that a training crop is pitch-shifted (factor uniform in the training config's range).
    """

    name: str
    watermark: Optional[EchoWatermark] = None
    pitch_shift: float = 0.0

    @property
    def folder(self) -> str:
        """A file-system name for the model's outputs."""
        return "".join(c if c.isalnum() else "_" for c in self.name).strip("_")


def default_models(pitch_shift: float = 0.5) -> tuple[ModelSpec, ...]:
    """Clean, single echo at 75, time-spread at 75 (seed 2024), and the single echo with pitch-shift augmentation."""
    single = EchoWatermark("single", delta=75)
    return (ModelSpec("clean"), ModelSpec("single", single),
            ModelSpec("spread", EchoWatermark("spread", delta=75, seed=2024)),
            ModelSpec(f"single, pitch-shift {pitch_shift:.0%}", single, pitch_shift))


@dataclass(frozen=True)
class ExperimentConfig:
    """What to run. The default takes 30 minutes or less on two CPU cores; :meth:`tiny` runs in seconds.

    Parameters
    ----------
    minutes : float
        Rendered audio to use, all voices of all pieces (training and held out), in minutes.
    held_out : float
        Share of the pieces held out for generation (at least one piece).
    voices : tuple of str
        Voices rendered (keys of :data:`~muspy_like.audio.watermark.experiment.corpus.VOICES`).
    engine : {"synth", "fluidsynth"}
        The renderer.
    max_piece_seconds : float, optional
        Cut every piece after this many seconds.
    models : tuple of ModelSpec
        The models; the first without a watermark is the clean reference.
    training : TrainingConfig
        Hyper-parameters, seed and device, the same for every model.
    conditions : tuple of str
        Which of :data:`OUTPUT_CONDITIONS` to audit (MP3 needs ``ffmpeg``).
    clip_seconds : float, optional
        Length of the audited clips (None: whole parts).
    """

    minutes: float = 30.0
    held_out: float = 0.25
    voices: tuple[str, ...] = tuple(VOICES)
    engine: str = "synth"
    max_piece_seconds: Optional[float] = None
    models: tuple[ModelSpec, ...] = field(default_factory=default_models)
    training: TrainingConfig = TrainingConfig()
    conditions: tuple[str, ...] = OUTPUT_CONDITIONS
    clip_seconds: Optional[float] = 10.0

    @classmethod
    def tiny(cls, seed: int = 0, device: str = "auto") -> "ExperimentConfig":
        """Seconds of work: four 6 s pieces, one voice, a clean and a single-echo model, 120 small steps each."""
        training = TrainingConfig(steps=120, batch=2, crop_seconds=0.5, hidden=32, n_harmonics=16, n_noise_bands=16,
                                  ir_length=256, loss_sizes=(1024, 256), reverb_learning_rate=1e-2, seed=seed,
                                  device=device)
        return cls(minutes=0.4, held_out=0.5, voices=("Soprano",), max_piece_seconds=6.0,
                   models=(ModelSpec("clean"), ModelSpec("single", EchoWatermark("single", delta=75))),
                   training=training, conditions=("as generated",), clip_seconds=None)


@dataclass
class ExperimentResult:
    """The experiment's figures.

    Attributes
    ----------
    rows : list of dict
        One per marked model and output condition: ``model, outputs, candidate, clips, mean_z, sd_z,
        share_over_threshold, clean_mean_z, clean_sd_z, auroc, p_value, decoy_p``.
    null_checks : list of dict
        Clip z-scores of unmarked audio (held-out clean renders, clean-trained outputs) per watermark:
        ``audio, candidate, clips, mean_z, sd_z, ks_p`` (Kolmogorov-Smirnov against N(0, 1)).
    training_data : list of dict
        Mean z of each marked training copy (the mark the models saw).
    pieces : dict
        ``train`` and ``held_out`` piece names; ``seconds`` of audio in each.
    timings : dict
        Seconds spent rendering, training (per model), generating and auditing.
    device : str
        Where the models ran.
    notes : list of str
        What the reader should know (an output condition left out, and why).
    config : dict
        The configuration, as plain values.
    """

    rows: list[dict[str, object]] = field(default_factory=list)
    null_checks: list[dict[str, object]] = field(default_factory=list)
    training_data: list[dict[str, object]] = field(default_factory=list)
    pieces: dict[str, object] = field(default_factory=dict)
    timings: dict[str, object] = field(default_factory=dict)
    device: str = ""
    notes: list[str] = field(default_factory=list)
    config: dict[str, object] = field(default_factory=dict)

    def row(self, model: str, outputs: str = "as generated") -> dict[str, object]:
        """The row of one model and output condition."""
        for row in self.rows:
            if row["model"] == model and row["outputs"] == outputs:
                return row
        raise KeyError(f"no row for model {model!r} and outputs {outputs!r}")


def run_experiment(config: ExperimentConfig = ExperimentConfig(), work_dir: Optional[Union[str, Path]] = None,
                   log: Callable[[str], None] = lambda message: None) -> ExperimentResult:
    """Run the whole experiment (see the module docstring); outputs and audit reports go under ``work_dir``.

    Parameters
    ----------
    config : ExperimentConfig
        What to run.
    work_dir : str or Path, optional
        Folder for the generated audio and the audit reports (kept); None uses a temporary folder,
        removed at the end.
    log : callable
        Receives progress messages.
    """
    if work_dir is None:
        with tempfile.TemporaryDirectory(prefix="muspy_like_audit_") as folder:
            return run_experiment(config, folder, log)
    unknown = [condition for condition in config.conditions if condition not in OUTPUT_CONDITIONS]
    if unknown:
        raise WatermarkError(f"unknown output condition(s) {unknown}; choose from {list(OUTPUT_CONDITIONS)}")
    if not any(spec.watermark is None for spec in config.models):
        raise WatermarkError("the experiment needs a clean model (a ModelSpec without a watermark) as the reference")
    work = Path(work_dir)
    work.mkdir(parents=True, exist_ok=True)
    result = ExperimentResult(device=str(pick_device(config.training.device)), config=_plain(asdict(config)))
    if "MP3 128 kbit/s" in config.conditions and shutil.which("ffmpeg") is None:
        config = replace(config, conditions=tuple(c for c in config.conditions if c != "MP3 128 kbit/s"))
        result.notes.append("the MP3 row was left out: no ffmpeg on this machine (install it, e.g. apt-get install "
                            "ffmpeg, for that row)")
    started = time.perf_counter()
    paths = chorale_paths(config.minutes * 60, config.voices, config.max_piece_seconds)
    parts = render_parts(paths, RATE, config.training.hop, config.voices, config.engine, config.max_piece_seconds)
    pieces = list(dict.fromkeys(part.piece for part in parts))
    n_held = min(len(pieces) - 1, max(1, int(round(config.held_out * len(pieces)))))
    held = set(pieces[len(pieces) - n_held:])
    train_parts = [part for part in parts if part.piece not in held]
    test_parts = [part for part in parts if part.piece in held]
    result.pieces = {"train": pieces[: len(pieces) - n_held], "held_out": pieces[len(pieces) - n_held:],
                     "train_seconds": round(sum(len(p.audio) for p in train_parts) / RATE, 1),
                     "held_out_seconds": round(sum(len(p.audio) for p in test_parts) / RATE, 1)}
    result.timings["render"] = round(time.perf_counter() - started, 1)
    log(f"rendered {len(parts)} parts of {len(pieces)} pieces: {result.pieces['train_seconds']} s for training, "
        f"{result.pieces['held_out_seconds']} s held out")
    instruments = {voice: index for index, voice in enumerate(config.voices)}
    _write_parts(test_parts, [part.audio for part in test_parts], work / "inputs")

    result.timings["train"], generate_seconds = {}, 0.0
    for spec in config.models:
        training_parts = []
        for part in train_parts:
            audio = part.audio if spec.watermark is None else quantize_16_bit(embed(part.audio, RATE, spec.watermark))
            training_parts.append(TrainingPart(audio, part.f0, loudness_db(audio, config.training.hop),
                                               instruments[part.voice]))
        if spec.watermark is not None:
            result.training_data.append(_training_data_row(spec, training_parts))
        start = time.perf_counter()
        model = train(training_parts, replace(config.training, pitch_shift=spec.pitch_shift), RATE, len(instruments),
                      progress=lambda step, loss, name=spec.name: log(f"  {name}: step {step}, loss {loss:.3f}"))
        result.timings["train"][spec.name] = round(time.perf_counter() - start, 1)
        start = time.perf_counter()
        outputs = [synthesize(model, part.f0, loudness_db(part.audio, config.training.hop), instruments[part.voice],
                              len(part.audio), seed=config.training.seed, threads=config.training.threads)
                   for part in test_parts]
        _write_conditions(test_parts, outputs, work / "outputs" / spec.folder, config.conditions)
        generate_seconds += time.perf_counter() - start
        log(f"trained and ran model {spec.name!r} ({result.timings['train'][spec.name]} s of training)")
    result.timings["generate"] = round(generate_seconds, 1)

    start = time.perf_counter()
    _audit_models(config, work, result)
    result.null_checks = _null_checks(config, work)
    result.timings["audit"] = round(time.perf_counter() - start, 1)
    result.timings["total"] = round(time.perf_counter() - started, 1)
    return result


def _plain(value: object) -> object:
    if isinstance(value, EchoWatermark):
        return value.to_dict()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _training_data_row(spec: ModelSpec, parts: Sequence[TrainingPart]) -> dict[str, object]:
    from muspy_like.audio.watermark.detect import detect_audio

    z = [detect_audio(part.audio, RATE, spec.watermark).z for part in parts]
    z = np.array([value for value in z if math.isfinite(value)])
    return {"model": spec.name, "candidate": _label(spec.watermark), "parts": len(z),
            "mean_z": float(z.mean()), "sd_z": float(z.std(ddof=1)) if len(z) > 1 else 0.0}


def _label(watermark: EchoWatermark) -> str:
    from muspy_like.audio.watermark.audit import watermark_label

    return watermark_label(watermark)


def _write_parts(parts: Sequence[RenderedPart], audios: Sequence[np.ndarray], folder: Path,
                 rate: int = RATE, extension: str = ".wav") -> list[Path]:
    from muspy_like.audio import write_audio
    from muspy_like.audio.watermark.echo import limit_peak

    folder.mkdir(parents=True, exist_ok=True)
    return [write_audio(folder / f"{part.name}{extension}", limit_peak(np.array(audio, dtype=np.float32)), rate)
            for part, audio in zip(parts, audios)]


def _write_conditions(parts: Sequence[RenderedPart], outputs: Sequence[np.ndarray], folder: Path,
                      conditions: Sequence[str]) -> None:
    """The outputs as generated (16-bit WAV), and as MP3 and at 22.05 kHz when asked for."""
    written = _write_parts(parts, outputs, folder / "as_generated")
    if "MP3 128 kbit/s" in conditions:
        target = folder / "mp3"
        target.mkdir(parents=True, exist_ok=True)
        for path in written:
            subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(path), "-codec:a", "libmp3lame",
                            "-b:a", "128k", str(target / (path.stem + ".mp3"))], check=True)
    if "resampled to 22.05 kHz" in conditions:
        from scipy.signal import resample_poly

        _write_parts(parts, [resample_poly(output, 1, 2) for output in outputs], folder / "22k", rate=RATE // 2)


_CONDITION_FOLDERS = {"as generated": "as_generated", "MP3 128 kbit/s": "mp3", "resampled to 22.05 kHz": "22k"}


def _audit_models(config: ExperimentConfig, work: Path, result: ExperimentResult) -> None:
    from muspy_like.audio.watermark.audit import audit
    from muspy_like.audio.watermark.audit_report import write_audit_report

    clean = next(spec for spec in config.models if spec.watermark is None)
    for spec in config.models:
        if spec.watermark is None:
            continue
        for condition in config.conditions:
            sub = _CONDITION_FOLDERS[condition]
            suspect = work / "outputs" / spec.folder / sub
            reference = work / "outputs" / clean.folder / sub
            found = audit(suspect, spec.watermark, reference=reference, clip_seconds=config.clip_seconds)
            write_audit_report(found, work / "audits" / f"{spec.folder}_{sub}",
                               title=f"Outputs of the {spec.name} model ({condition}) against the clean model's")
            summary = found.candidates[0]
            row = {"model": spec.name, "outputs": condition, "candidate": summary.label, "clips": summary.n_clips,
                   "mean_z": summary.mean_z, "sd_z": summary.sd_z, "share_over_threshold": summary.share_over_threshold,
                   "clean_mean_z": summary.reference_mean_z, "clean_sd_z": float(np.std(found.scores(summary.label,
                                                                                                   "reference"), ddof=1)),
                   "auroc": summary.auroc, "p_value": summary.p_value, "decoy_p": None}
            if spec.watermark.method == "spread":
                decoys = audit(suspect, spec.watermark, null="decoys", clip_seconds=config.clip_seconds)
                row["decoy_p"] = decoys.candidates[0].p_value
            result.rows.append(row)


def _null_checks(config: ExperimentConfig, work: Path) -> list[dict[str, object]]:
    """Clip z-scores of unmarked audio for every watermark of the experiment, against N(0, 1)."""
    from scipy.stats import kstest

    from muspy_like.audio.watermark.audit import audit

    marks = list(dict.fromkeys(spec.watermark for spec in config.models if spec.watermark is not None))
    if not marks:
        return []
    clean = next(spec for spec in config.models if spec.watermark is None)
    sources = {"held-out clean renders": work / "inputs",
               "clean-trained outputs": work / "outputs" / clean.folder / "as_generated"}
    rows = []
    for name, folder in sources.items():
        found = audit(folder, marks, null="normal", clip_seconds=config.clip_seconds)
        for summary in found.candidates:
            z = found.scores(summary.label)
            rows.append({"audio": name, "candidate": summary.label, "clips": len(z), "mean_z": float(z.mean()),
                         "sd_z": float(z.std(ddof=1)) if len(z) > 1 else 0.0,
                         "ks_p": float(kstest(z, "norm").pvalue) if len(z) > 1 else math.nan,
                         "stouffer_p": summary.p_value})
    return rows

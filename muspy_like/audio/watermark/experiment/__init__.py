"""Does an echo in rendered training audio survive into a generative model's output? A reproducible experiment.

After Tralie, Amery, Douglas and Utz, "Hidden Echoes Survive Training in Audio To Audio Generative
Instrument Models" (arXiv:2412.10649): :func:`run_experiment` renders four-part chorales voice by voice,
marks copies of the training audio, trains a small DDSP instrument on each copy (PyTorch, the ``ml``
extra, imported only when a model is built), generates held-out parts and audits the outputs with
:func:`~muspy_like.audio.watermark.audit.audit`. ``python -m benchmarks.watermark_audit`` runs it at full
size and writes the tables; :meth:`ExperimentConfig.tiny` runs in seconds (the tests use it).
"""

from __future__ import annotations

from muspy_like.audio.watermark.experiment.run import (
    OUTPUT_CONDITIONS,
    PAPER_DDSP,
    ExperimentConfig,
    ExperimentResult,
    ModelSpec,
    default_models,
    run_experiment,
)
from muspy_like.audio.watermark.experiment.training import TrainingConfig

__all__ = ["run_experiment", "ExperimentConfig", "ExperimentResult", "ModelSpec", "TrainingConfig", "default_models",
           "OUTPUT_CONDITIONS", "PAPER_DDSP"]

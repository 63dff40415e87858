"""The sequence models of Dong et al. (ISMIR 2021): online LSTM and Transformer decoder, offline BiLSTM
and Transformer encoder.

:class:`LSTMSeparator` and :class:`TransformerSeparator` are estimators with the shape of the baselines;
PyTorch (the ``ml`` extra) is imported only when one is trained or used, not by importing this package.

* :mod:`~muspy_like.separation.sequence.inputs`: per-note inputs, hints, augmentation, batches (numpy);
* :mod:`~muspy_like.separation.sequence.networks`: the networks (PyTorch);
* :mod:`~muspy_like.separation.sequence.training`: the training and prediction loops (PyTorch);
* :mod:`~muspy_like.separation.sequence.estimator`: the estimators.
"""

from muspy_like.separation.sequence.estimator import LSTMSeparator, SequenceSeparator, TransformerSeparator

__all__ = ["LSTMSeparator", "SequenceSeparator", "TransformerSeparator"]

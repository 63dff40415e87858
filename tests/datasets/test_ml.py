"""ML adapters: picklable representation datasets in multiprocessing and PyTorch DataLoader workers."""

from __future__ import annotations

import functools
import multiprocessing
import pickle

import numpy as np
import pytest

from dataset_testing import note_matrix
from muspy_like.datasets import FolderDataset, PadCollate, RepresentationDataset, pad_sequences


@pytest.fixture
def arrays(tmp_path, midi_files):
    for path in midi_files[:6]:
        (tmp_path / path.name).write_bytes(path.read_bytes())
    return FolderDataset(tmp_path).to_representation(functools.partial(note_matrix, max_notes=50))


def test_items_are_factory_outputs(arrays):
    dataset = arrays.dataset
    assert len(arrays) == len(dataset)
    for i in range(len(arrays)):
        np.testing.assert_array_equal(arrays[i], note_matrix(dataset[i], 50))


def test_pickles_and_works_in_a_process_pool(arrays):
    clone = pickle.loads(pickle.dumps(arrays))
    np.testing.assert_array_equal(clone[1], arrays[1])
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        results = pool.map(arrays.__getitem__, range(len(arrays)))
    for i, result in enumerate(results):
        np.testing.assert_array_equal(result, arrays[i])


def test_torch_dataloader_with_two_workers(arrays):
    import torch

    loader = torch.utils.data.DataLoader(arrays, batch_size=4, num_workers=2, collate_fn=PadCollate(pad_value=-1))
    batches = list(loader)
    assert [b["data"].shape[0] for b in batches] == [4, 2]
    seen = 0
    for batch in batches:
        assert isinstance(batch["data"], torch.Tensor) and batch["mask"].dtype == torch.bool
        for row in range(batch["data"].shape[0]):
            expected = arrays[seen]
            length = int(batch["lengths"][row])
            assert length == len(expected)
            np.testing.assert_array_equal(batch["data"][row, :length].numpy(), expected)
            assert bool(batch["mask"][row, :length].all()) and not bool(batch["mask"][row, length:].any())
            assert bool((batch["data"][row, length:] == -1).all())
            seen += 1
    assert seen == len(arrays)


def test_pad_sequences_by_hand():
    padded, mask = pad_sequences([np.array([[1, 2], [3, 4]]), np.array([[5, 6]])], pad_value=9)
    assert padded.tolist() == [[[1, 2], [3, 4]], [[5, 6], [9, 9]]]
    assert mask.tolist() == [[True, True], [True, False]]
    truncated, mask = pad_sequences([[1, 2, 3], [4]], max_length=2)
    assert truncated.tolist() == [[1, 2], [4, 0]] and mask.tolist() == [[True, True], [True, False]]


@pytest.mark.parametrize("bad", [[], [np.zeros((2, 3)), np.zeros((2, 4))], [np.float64(1.0)]])
def test_pad_sequences_rejects(bad):
    with pytest.raises(ValueError):
        pad_sequences(bad)


def test_collate_without_torch_gives_numpy():
    batch = PadCollate(as_tensors=False)([np.arange(3), np.arange(1)])
    assert isinstance(batch["data"], np.ndarray) and batch["lengths"].tolist() == [3, 1]


def test_factory_must_be_callable(arrays):
    with pytest.raises(TypeError):
        RepresentationDataset(arrays.dataset, "not callable")

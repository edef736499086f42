"""Arrow arrays read into numpy from their buffers agree with pyarrow's own conversion, slices and nulls too."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from une_eval.traces.reading import _nulls, _numbers


@pytest.mark.parametrize("offset", [0, 1, 7, 8, 9])
@pytest.mark.parametrize("length", [0, 1, 5, 17])
def test_values_and_nulls_match_pyarrow_on_slices(offset: int, length: int) -> None:
    rng = np.random.default_rng(offset * 100 + length)
    values = [None if rng.random() < 0.3 else float(rng.normal()) for _ in range(40)]
    array = pa.array(values, type=pa.float64()).slice(offset, length)
    got, empty = _numbers(array, np.float64), _nulls(array)
    expected = array.to_numpy(zero_copy_only=False)
    assert got.shape == expected.shape == empty.shape
    assert empty.tolist() == array.is_null().to_pylist()
    assert np.array_equal(got[~empty], expected[~empty])
    got[:] = 0.0  # writable, and a copy: the Arrow data is untouched
    assert array.to_pylist() == values[offset : offset + length]


def test_int64_times_keep_every_bit() -> None:
    big = [2**62 + 1, -(2**62) - 3, 0, 2**63 - 1]
    array = pa.array([5, *big], type=pa.int64()).slice(1)
    assert _numbers(array, np.int64).tolist() == big
    assert not _nulls(array).any()

"""Arrow arrays as numpy, read from their buffers in place.

Two reasons not to call `Array.to_numpy()` in the profiling loop: it copies an array with nulls
to write NaN into the null slots, and its first call imports pandas (half a second, a fifth of
`mlci validate` on a million rows). Here null slots keep whatever they hold, and a validity mask
says which values to ignore. For the same reason the common cases avoid `Array.cast` and
`Array.take`, which import pyarrow.compute (0.12-0.15 s: it builds a Python wrapper and a
docstring for each of Arrow's ~300 compute functions); what does need Arrow's kernels calls them
through `compute`, which skips that module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa


def _kernels() -> Any:
    """pyarrow._compute, the module whose functions pyarrow.compute wraps (in a pyarrow that
    moved it, the wrapper itself)."""
    try:
        from pyarrow import _compute
    except ImportError:
        import pyarrow.compute as _compute
    return _compute


def compute(name: str, *args: Any, options: Any = None) -> Any:
    """Arrow's compute function NAME on ARGS, as pyarrow.compute's wrappers call it, without
    importing that module."""
    return _kernels().call_function(name, list(args), options)


def cast(array: pa.Array, to: pa.DataType) -> pa.Array:
    """`array.cast(to)` (a safe cast: overflow and truncation raise) through `compute`."""
    return compute("cast", array, options=_kernels().CastOptions.safe(to))


def matches(texts: pa.Array, pattern: str) -> pa.Array:
    """Whether each text matches the regular expression PATTERN (nulls stay null)."""
    return compute(
        "match_substring_regex", texts, options=_kernels().MatchSubstringOptions(pattern)
    )


def decoded(array: pa.DictionaryArray) -> pa.Array:
    """`array.dictionary_decode()` (its dictionary taken at its indices) through `compute`."""
    return compute("take", array.dictionary, array.indices)


def validity(array: pa.Array) -> npt.NDArray[np.bool_] | None:
    """Where ARRAY holds a value (None: everywhere)."""
    import numpy as np

    if not array.null_count:
        return None
    bitmap = array.buffers()[0]
    bits = np.unpackbits(
        np.frombuffer(bitmap, dtype=np.uint8), count=array.offset + len(array), bitorder="little"
    )
    return bits[array.offset :].view(np.bool_)


def is_primitive(kind: pa.DataType) -> bool:
    """Integers, floats and booleans: the types `primitive` reads."""
    import pyarrow as pa

    return bool(
        pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind)
    )


def primitive(array: pa.Array) -> npt.NDArray[Any]:
    """The values of a fixed-width numeric ARRAY (null slots hold anything)."""
    import numpy as np
    import pyarrow as pa

    if pa.types.is_boolean(array.type):
        bits = np.unpackbits(
            np.frombuffer(array.buffers()[1], dtype=np.uint8),
            count=array.offset + len(array),
            bitorder="little",
        )
        return bits[array.offset :].view(np.bool_)
    kind = (
        "f"
        if pa.types.is_floating(array.type)
        else "i"
        if pa.types.is_signed_integer(array.type)
        else "u"
    )
    dtype = np.dtype(f"{kind}{array.type.bit_width // 8}")
    return np.frombuffer(
        array.buffers()[1], dtype=dtype, count=len(array), offset=array.offset * dtype.itemsize
    )


def floats(array: pa.Array) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_] | None]:
    """A numeric array's values as float64, and where they are valid (not null, not NaN)."""
    import numpy as np
    import pyarrow as pa

    if pa.types.is_floating(array.type) or pa.types.is_integer(array.type):
        values = primitive(array).astype(np.float64, copy=False)
    else:  # decimals
        values = primitive(cast(array, pa.float64()))
    valid = validity(array)
    nan = np.isnan(values)
    if nan.any():
        valid = ~nan if valid is None else valid & ~nan
    return values, valid


def floats_summed(
    array: pa.Array,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_] | None, float | None]:
    """`floats`, and the values' sum when it came for free: a float column without nulls is
    summed first, and a finite sum proves it holds no NaN nor inf, so the NaN pass is skipped
    (most float batches). Otherwise the sum is None and the mask is floats'."""
    import numpy as np
    import pyarrow as pa

    if array.null_count == 0 and pa.types.is_float64(array.type):
        values = primitive(array)
        with np.errstate(invalid="ignore"):
            total = float(values.sum())
        if np.isfinite(total):
            return values, None, total
    values, valid = floats(array)
    return values, valid, None


def integers(array: pa.Array) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_] | None]:
    """An integer, boolean or timestamp array's values as int64, and where they are valid."""
    import numpy as np

    return primitive(as_integers(array)).astype(np.int64, copy=False), validity(array)


def as_integers(array: pa.Array) -> pa.Array:
    """Booleans and integers as they are, dates and times as their integer counts (a view)."""
    import pyarrow as pa

    kind = array.type
    if pa.types.is_boolean(kind) or pa.types.is_integer(kind):
        return array
    if pa.types.is_temporal(kind) and kind.bit_width in (32, 64):
        return array.view(pa.int64() if kind.bit_width == 64 else pa.int32())
    return cast(array, pa.int64())


def values(array: pa.Array) -> npt.NDArray[Any]:
    """Any array's values: numbers in place (nulls hold anything), other values as objects."""
    import numpy as np

    if is_primitive(array.type):
        return primitive(array)
    return np.array(array.to_pylist(), dtype=object)


def mask(keep: npt.NDArray[np.bool_]) -> pa.BooleanArray:
    """A numpy boolean array as an Arrow one, for `filter` (without pa.array(), which imports
    pandas). Arrow's filter copies runs of kept rows whole: about half a take's time when most
    rows are kept."""
    import numpy as np
    import pyarrow as pa

    bits = np.packbits(keep, bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), len(keep), [None, pa.py_buffer(bits)])


def filtered(array: pa.Array, keep: npt.NDArray[np.bool_]) -> pa.Array:
    """ARRAY's values where KEEP is true. Numbers, flags, times and dictionary codes are picked
    in numpy and wrapped back; anything else (the monitor's text features, say) is filtered by
    Arrow, through `compute`."""
    import numpy as np
    import pyarrow as pa

    kind = array.type
    if pa.types.is_dictionary(kind):
        codes = filtered(array.indices, keep)
        return pa.DictionaryArray.from_arrays(codes, array.dictionary, ordered=kind.ordered)
    if not is_primitive(kind):
        return compute("filter", array, mask(keep))
    values = primitive(array)[keep]
    valid = validity(array)
    kept_valid = None if valid is None else valid[keep]
    bitmap = None
    if kept_valid is not None and not kept_valid.all():
        bitmap = pa.py_buffer(np.packbits(kept_valid, bitorder="little"))
    if pa.types.is_boolean(kind):
        data = pa.py_buffer(np.packbits(values, bitorder="little"))
    else:
        data = pa.py_buffer(np.ascontiguousarray(values))
    return pa.Array.from_buffers(kind, len(values), [bitmap, data])


def take(array: pa.Array, positions: npt.NDArray[Any]) -> pa.Array:
    """ARRAY at POSITIONS (without pa.array(), which imports pandas)."""
    import numpy as np
    import pyarrow as pa

    index = np.ascontiguousarray(positions, dtype=np.int64)
    return compute(
        "take", array, pa.Array.from_buffers(pa.int64(), len(index), [None, pa.py_buffer(index)])
    )


def text_offsets(array: pa.Array) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8]]:
    """A string or binary array's value offsets (len + 1) and bytes."""
    import numpy as np
    import pyarrow as pa

    wide = pa.types.is_large_string(array.type) or pa.types.is_large_binary(array.type)
    width = np.int64 if wide else np.int32
    _, offsets, data = array.buffers()[:3]
    bounds = np.frombuffer(
        offsets, dtype=width, count=len(array) + 1, offset=array.offset * (8 if wide else 4)
    )
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.empty(0, np.uint8)
    return bounds.astype(np.int64), raw

"""The owner search's own binary search is bisect's."""

from __future__ import annotations

import bisect

from hypothesis import given
from hypothesis import strategies as st

from portwho.backends.netlink.owners import _bisect_left


@given(st.lists(st.integers(0, 50)), st.integers(-5, 55))
def test_bisect_left_is_bisects(values: list[int], value: int) -> None:
    ordered = sorted(values)
    assert _bisect_left(ordered, value) == bisect.bisect_left(ordered, value)

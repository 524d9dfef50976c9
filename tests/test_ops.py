"""The op table's IEEE scalar functions against NumPy (a test dependency only).

Special values (nan, inf, zeros and their signs) must match exactly. IEEE 754 requires division to be
correctly rounded, so it is compared bit for bit; `pow`, `exp` and `log` are not required to be, and
libms differ by an ulp (NumPy's AVX-512 `exp(2.1)` and `1e300 ** -1` against C's), so a finite,
non-zero result may differ from NumPy's by one ulp, whichever NumPy or CPU runs the test.
"""

from __future__ import annotations

import itertools
import math
import subprocess
import sys

import numpy as np
import pytest

from livegrad.ops import divide, exp, log, power

SPECIAL = [0.0, -0.0, math.inf, -math.inf, math.nan, 5e-324, -5e-324, 1e-300, -1e-300, 1e300, -1e300]
ORDINARY = [0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 8.0, 10.0, 401.0, 400.0, 1e20, 2.0**53, 2.0**53 + 2]
GRID = SPECIAL + ORDINARY + [-x for x in ORDINARY] + [0.1 * k for k in range(-25, 26)]


def same(got: float, want: float, ulps: int = 0) -> bool:
    """Equal as IEEE doubles (nan is nan, and the sign of zero counts), or within `ulps` units in the
    last place where both are finite and non-zero with one sign."""
    if math.isnan(want):
        return math.isnan(got)
    if got == want:
        return math.copysign(1.0, got) == math.copysign(1.0, want)
    finite = math.isfinite(got) and math.isfinite(want) and got != 0 and want != 0
    return finite and (got > 0) == (want > 0) and abs(got - want) <= ulps * math.ulp(want)


def mismatches(ours, numpys, grid: list[tuple[float, ...]], ulps: int = 0) -> list[str]:
    with np.errstate(all="ignore"):  # arrays, so NumPy runs C's pow rather than a scalar shortcut (x**0.5 as sqrt)
        want = numpys(*(np.array(column) for column in zip(*grid)))
    pairs = zip(grid, want.tolist())
    return [f"{args}: {ours(*args)!r}, NumPy {w!r}" for args, w in pairs if not same(ours(*args), w, ulps)]


def test_same_allows_only_the_ulps_asked_for() -> None:
    assert same(math.exp(2.1), math.exp(2.1))
    assert not same(math.nextafter(math.exp(2.1), 0), math.exp(2.1))
    assert same(math.nextafter(math.exp(2.1), 0), math.exp(2.1), ulps=1)
    assert not same(math.nextafter(math.nextafter(1.5, 0), 0), 1.5, ulps=1)
    assert not same(-0.0, 0.0, ulps=1) and not same(math.inf, 1.7976931348623157e308, ulps=1)
    assert not same(5e-324, -5e-324, ulps=2) and not same(0.0, 5e-324, ulps=1)


def no_real_value(a: float, p: float) -> bool:
    """(-inf) ** p for a finite non-integer p: livegrad's nan where IEEE's pow gives inf or 0."""
    return a == -math.inf and math.isfinite(p) and not p.is_integer()


def test_power_is_ieee_pow_over_a_broad_grid() -> None:
    grid = [(a, p) for a, p in itertools.product(GRID, repeat=2) if not no_real_value(a, p)]
    assert len(grid) > 5000
    assert mismatches(power, np.power, grid, ulps=1) == []


def test_a_negative_base_to_a_non_integer_power_is_nan_at_minus_inf_too() -> None:
    exponents = [p for p in GRID if no_real_value(-math.inf, p)]
    assert 0.5 in exponents and 1.5 in exponents and -0.5 in exponents and len(exponents) > 40
    assert [p for p in exponents if not math.isnan(power(-math.inf, p))] == []
    assert [p for p in exponents if not math.isnan(power(-1e300, p))] == []  # the same rule, finite


@pytest.mark.parametrize(
    ("a", "p", "want"),
    [
        (0.0, -1.0, math.inf),
        (-0.0, -1.0, -math.inf),  # an odd power keeps the sign of zero
        (-0.0, -2.0, math.inf),
        (-8.0, 0.5, math.nan),
        (10.0, 400.0, math.inf),
        (-10.0, 401.0, -math.inf),
        (-10.0, 400.0, math.inf),
        (0.0, 0.0, 1.0),
        (math.nan, 0.0, 1.0),
        (1.0, math.nan, 1.0),
        (-1.0, math.inf, 1.0),
        (0.5, -math.inf, math.inf),
        (-math.inf, -3.0, -0.0),
        (-math.inf, 2.0, math.inf),  # an integer power of -inf is real: IEEE's
        (-math.inf, 3.0, -math.inf),
        (-math.inf, math.inf, math.inf),
        (-math.inf, -math.inf, 0.0),
        (-math.inf, 0.5, math.nan),  # no real square root (IEEE's pow: inf)
        (-math.inf, -1.5, math.nan),  # (IEEE's pow: 0.0)
        (1e-300, -2.0, math.inf),
        (-1e-300, -3.0, -math.inf),
    ],
)
def test_power_edge_cases(a: float, p: float, want: float) -> None:
    assert same(power(a, p), want)


def test_divide_exp_and_log_are_ieee() -> None:
    pairs = list(itertools.product(GRID, repeat=2))
    assert mismatches(divide, np.divide, pairs) == []  # correctly rounded by IEEE: bit for bit
    singles = [(x,) for x in [*GRID, 709.0, 710.0, -745.0, -746.0, 1000.0]]
    assert mismatches(exp, np.exp, singles, ulps=1) == []
    assert mismatches(log, np.log, singles, ulps=1) == []


def test_the_package_runs_without_numpy() -> None:
    code = (
        "import sys; sys.modules['numpy'] = None\n"  # any `import numpy` now fails
        "import math, livegrad, livegrad.nn, livegrad.widget\n"
        "assert (livegrad.Value(0.0) ** -1).data == math.inf and math.isnan((livegrad.Value(-8.0) ** 0.5).data)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)

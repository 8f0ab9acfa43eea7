"""Cutting an area's doors into turfs: a pure function over plain tuples, so it can be tested with
hypothesis and timed without a database.

Order first, then chunk:

- Doors with coordinates are ordered along a Hilbert curve over the area's bounding square, so
  neighbours on the curve are neighbours on the ground and each consecutive run is a compact patch.
- Doors without coordinates on a street that has some with coordinates join the curve at the middle of
  that street's known doors (they are on that street, so they belong to the turf that walks it).
- Doors of streets without any coordinates follow, in walking order: street, side (parity), house number,
  building, unit, floor.

Then the ordered list is cut into consecutive chunks whose sizes are balanced around the target
(`chunk_sizes`), and each cut is moved to the nearest street (else building) boundary when that keeps
every chunk within the tolerance (`cut_points`).

The balance bound
-----------------
Let n be the number of doors, t the target and k the number of turfs. The sizes are ⌊n/k⌋ and ⌈n/k⌉
(r = n mod k chunks get one more door), so no two differ by more than one door and they add up to n.

k is whichever of ⌊n/t⌋ and ⌈n/t⌉ (at least 1) puts n/k closer to t. If any k' at all puts n/k' within
[0.9t, 1.1t], then one of these two does: if k' ≤ n/t then k' ≤ ⌊n/t⌋ = k₁, so t ≤ n/k₁ ≤ n/k' ≤ 1.1t;
symmetrically for k' ≥ n/t with ⌈n/t⌉. Such a k' exists whenever n ≥ 4.5t: the windows
[0.9k't, 1.1k't] of consecutive k' overlap once 1.1k' ≥ 0.9(k' + 1), i.e. k' ≥ 4.5, so from 4.5t upwards
they cover every n (and below, n in [0.9t, 1.1t], [1.8t, 2.2t], [2.7t, 3.3t], [3.6t, 4.4t]). Whole doors
then widen the window by rounding: ⌊n/k⌋ ≥ ⌊0.9t⌋ and ⌈n/k⌉ ≤ ⌈1.1t⌉. So every turf has between
⌊0.9t⌋ and ⌈1.1t⌉ doors (`tolerance(t)`) whenever such a k' exists — always from n ≥ 4.5t. Otherwise
(say 60 doors with a target of 40: one turf of 60 or two of 30) no cut can be within ±10%, and the sizes
are as close as whole turfs allow. Fewer doors than the target make one turf.

Moving a cut to a boundary never breaks the bound: a cut is only moved to a position where the chunk it
closes and the chunks left (split evenly) all stay within the tolerance, and the plain even cut is kept
when the even sizes themselves are outside it.
"""

import itertools
import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

TOLERANCE = 0.10
HILBERT_ORDER = 16  # a 65,536 × 65,536 grid: a few metres per cell even for a whole city


class Door(NamedTuple):
    """One household as the cutter sees it."""

    pk: int
    latitude: float | None
    longitude: float | None
    street: str
    parity: int | None
    number: int | None
    house_number: str
    building: str
    unit: str
    floor: str


def tolerance(target: int) -> tuple[int, int]:
    """The fewest and most doors a turf may have for this target: ±10%, widened to whole doors."""
    return math.floor(target * (1 - TOLERANCE)), math.ceil(target * (1 + TOLERANCE))


def turf_count_for(n: int, target: int) -> int:
    """How many turfs to cut n doors into for a target size (see the module's bound)."""
    if n <= 0:
        return 0
    if target <= 0:
        raise ValueError("target must be positive")
    low, high = max(1, n // target), max(1, -(-n // target))

    def miss(k: int) -> float:
        return max(abs(n // k - target), abs(-(-n // k) - target))

    return min((low, high), key=lambda k: (miss(k), k))


def chunk_sizes(n: int, k: int) -> list[int]:
    """k sizes adding up to n, none differing from another by more than one."""
    if k <= 0 or n <= 0:
        return []
    k = min(k, n)
    base, extra = divmod(n, k)
    return [base + 1 if i < extra else base for i in range(k)]


def walk_key(door: Door) -> tuple:
    """The order a canvasser walks a street: one side (even, then odd), numbers ascending, then the
    building, unit and floor. Doors without a number come after the numbered ones of their street."""
    return (
        door.street.casefold(),
        door.parity if door.parity is not None else 2,
        door.number if door.number is not None else 1 << 40,
        door.house_number,
        door.building.casefold(),
        door.unit,
        door.floor,
        door.pk,
    )


def hilbert_index(x: np.ndarray, y: np.ndarray, order: int = HILBERT_ORDER) -> np.ndarray:
    """Position along a Hilbert curve of integer grid points (0 ≤ x, y < 2**order), vectorised."""
    x = x.astype(np.int64).copy()
    y = y.astype(np.int64).copy()
    d = np.zeros(x.shape, dtype=np.int64)
    side = 1 << order
    s = side >> 1
    while s > 0:
        rx = (x & s) > 0
        ry = (y & s) > 0
        d += s * s * ((3 * rx.astype(np.int64)) ^ ry.astype(np.int64))
        # Rotate the quadrant so the curve stays continuous.
        flip = (~ry) & rx
        x = np.where(flip, side - 1 - x, x)
        y = np.where(flip, side - 1 - y, y)
        swap = ~ry
        x, y = np.where(swap, y, x), np.where(swap, x, y)
        s >>= 1
    return d


def curve_positions(latitudes: Sequence[float], longitudes: Sequence[float]) -> np.ndarray:
    """Hilbert positions of points, over their bounding square. Longitude is shrunk by cos(latitude) so
    the square is square on the ground and the patches compact."""
    lat = np.asarray(latitudes, dtype=np.float64)
    lon = np.asarray(longitudes, dtype=np.float64)
    if lat.size == 0:
        return np.zeros(0, dtype=np.int64)
    x = lon * math.cos(math.radians(float(lat.mean())))
    y = lat
    x0, y0 = x.min(), y.min()
    span = max(float(x.max() - x0), float(y.max() - y0)) or 1.0
    cells = (1 << HILBERT_ORDER) - 1
    gx = np.clip(np.floor((x - x0) / span * cells), 0, cells)
    gy = np.clip(np.floor((y - y0) / span * cells), 0, cells)
    return hilbert_index(gx, gy)


def order_doors(doors: Sequence[Door]) -> list[Door]:
    """Doors in cutting order (see the module docstring)."""
    located = [d for d in doors if d.latitude is not None and d.longitude is not None]
    unlocated = sorted((d for d in doors if d.latitude is None or d.longitude is None), key=walk_key)
    if not located:
        return unlocated
    positions = curve_positions([d.latitude for d in located], [d.longitude for d in located])
    # A street's place on the curve: the median position of its located doors.
    by_street: dict[str, list[int]] = {}
    for position, door in zip(positions.tolist(), located, strict=True):
        by_street.setdefault(door.street.casefold(), []).append(position)
    street_position = {street: sorted(found)[len(found) // 2] for street, found in by_street.items()}
    joining: list[Door] = []
    joining_positions: list[int] = []
    streetless: list[Door] = []
    for door in unlocated:  # already in walking order, which the rank below keeps within a street
        position = street_position.get(door.street.casefold()) if door.street else None
        if position is None:
            streetless.append(door)
        else:
            joining.append(door)
            joining_positions.append(position)
    everyone = located + joining
    primary = np.concatenate([positions, np.asarray(joining_positions, dtype=np.int64)])
    secondary = np.concatenate([np.zeros(len(located), dtype=np.int64), np.arange(1, len(joining) + 1)])
    order = np.lexsort((secondary, primary))  # by curve position, then walking order among joiners
    return [everyone[i] for i in order.tolist()] + streetless


def _boundary(ordered: Sequence[Door], i: int) -> int:
    """2 when door i starts a new street, 1 a new building (or house number) of the same street, else 0."""
    before, here = ordered[i - 1], ordered[i]
    if here.street != before.street:
        return 2
    if here.building != before.building or here.number != before.number:
        return 1
    return 0


def cut_points(ordered: Sequence[Door], k: int, target: int | None = None) -> list[int]:
    """The k − 1 indexes where a new turf starts, balanced, moved to street or building boundaries
    where that keeps every turf within the tolerance of `target` (n/k when no target is given)."""
    n = len(ordered)
    sizes = chunk_sizes(n, k)
    if len(sizes) <= 1:
        return []
    low, high = tolerance(target if target else round(n / len(sizes)))
    even = list(itertools.accumulate(sizes[:-1]))
    if min(sizes) < low or max(sizes) > high:
        return even  # no balanced cut fits the tolerance: the even one is the closest
    cuts: list[int] = []
    start = 0
    for left in range(len(sizes), 1, -1):  # `left` chunks still to make, this one included
        remaining = n - start
        ideal = start + round(remaining / left)
        # Where this chunk may end: it within the tolerance, and the rest splittable within it too.
        # Never an empty turf: a tolerance of 0 (tiny targets) still leaves at least one door each.
        least = max(low, 1)
        first = max(start + least, n - (left - 1) * high)
        last = min(start + high, n - (left - 1) * least)
        # The strongest boundary in the window (a new street over a new building), nearest the ideal.
        chosen, chosen_rank = ideal, (0, 0)
        for position in range(first, last + 1):
            rank = (_boundary(ordered, position), -abs(position - ideal))
            if rank[0] and rank > chosen_rank:
                chosen, chosen_rank = position, rank
        cuts.append(chosen)
        start = chosen
    return cuts


def cut(doors: Sequence[Door], *, target: int | None = None, turfs: int | None = None) -> list[list[Door]]:
    """The doors cut into turfs: each a list in cutting order. Give a target size or a number of turfs."""
    if (target is None) == (turfs is None):
        raise ValueError("give exactly one of target or turfs")
    n = len(doors)
    if n == 0:
        return []
    if target is not None:
        if target <= 0:
            raise ValueError("target must be positive")
        k = turf_count_for(n, target)
    else:
        assert turfs is not None
        if turfs <= 0:
            raise ValueError("turfs must be positive")
        k = min(turfs, n)
    ordered = order_doors(doors)
    bounds = [0, *cut_points(ordered, k, target), n]
    return [list(ordered[a:b]) for a, b in itertools.pairwise(bounds)]

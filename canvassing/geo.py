"""District maps as files: reading a GeoJSON FeatureCollection or a household-to-area CSV, and placing
households in polygons.

Nothing here touches the database: the parsers turn a file into plain data or raise a ValidationError
saying what is wrong with it, and `place_points` answers "which polygon is each point in" for a whole
campaign at once (one STRtree, one vectorised query), so 200,000 households take about a second.
"""

import csv
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_AREAS = 5000
KEY_LENGTH = 50
NAME_LENGTH = 200
SHOWN_PROBLEMS = 10


@dataclass
class ParsedArea:
    key: str
    name: str
    geometry: dict[str, Any] | None = None


@dataclass
class ParsedMap:
    areas: list[ParsedArea]
    # household-to-area files only: (line, household reference, area key)
    rows: list[tuple[int, dict[str, str], str]] = field(default_factory=list)


def _problems(problems: list[str]) -> str:
    shown = problems[:SHOWN_PROBLEMS]
    more = len(problems) - len(shown)
    text = " ".join(shown)
    if more:
        text += " " + ngettext("…and %(count)d more.", "…and %(count)d more.", more) % {"count": more}
    return text


def _clean_key(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code such as 12 written as a number
    return " ".join(str(value).split())


def read_upload(upload: Any) -> bytes:
    if upload.size is not None and upload.size > MAX_FILE_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than %(mb)d MB.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)}}
        )
    return upload.read()


def _lonlat_bounds_ok(geometry: Any) -> bool:
    minx, miny, maxx, maxy = shapely.bounds(geometry)
    return -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90


def parse_geojson(raw: bytes, *, key_property: str = "code", name_property: str = "name") -> ParsedMap:
    """A FeatureCollection of Polygon/MultiPolygon features, each with a unique area code."""
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValidationError({"file": _("This is not a GeoJSON file: it could not be read as JSON.")}) from None
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(data.get("features"), list)
    ):
        raise ValidationError(
            {"file": _('The file must be a GeoJSON FeatureCollection (a "features" list of polygons).')}
        )
    features = data["features"]
    if not features:
        raise ValidationError({"file": _("The file has no areas in it.")})
    if len(features) > MAX_AREAS:
        raise ValidationError({"file": _("A map may have at most %(max)d areas.") % {"max": MAX_AREAS}})
    problems: list[str] = []
    areas: list[ParsedArea] = []
    seen: dict[str, int] = {}
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict):
            problems.append(_("Feature %(n)d is not a GeoJSON feature.") % {"n": number})
            continue
        properties = feature.get("properties") or {}
        key = _clean_key(properties.get(key_property)) if isinstance(properties, dict) else ""
        label = key or _("feature %(n)d") % {"n": number}
        if not key:
            problems.append(
                _('Feature %(n)d has no "%(property)s" property (the area code).')
                % {"n": number, "property": key_property}
            )
        elif len(key) > KEY_LENGTH:
            problems.append(_("Area code %(key)s is longer than %(max)d characters.") % {"key": key, "max": KEY_LENGTH})
        elif key in seen:
            problems.append(
                _("Area code %(key)s appears twice (features %(first)d and %(n)d).")
                % {"key": key, "first": seen[key], "n": number}
            )
        else:
            seen[key] = number
        name = _clean_key(properties.get(name_property)) if isinstance(properties, dict) else ""
        geometry = feature.get("geometry")
        if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            problems.append(_("Area %(area)s is not a polygon.") % {"area": label})
            continue
        try:
            shape = shapely.geometry.shape(geometry)
        except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.GEOSException):
            problems.append(_("Area %(area)s has coordinates that do not form a polygon.") % {"area": label})
            continue
        if shape.is_empty:
            problems.append(_("Area %(area)s has an empty polygon.") % {"area": label})
            continue
        if not shape.is_valid:
            problems.append(
                _("Area %(area)s is not a valid polygon (%(reason)s).")
                % {"area": label, "reason": shapely.is_valid_reason(shape)}
            )
            continue
        if not _lonlat_bounds_ok(shape):
            problems.append(
                _("Area %(area)s is not in longitude/latitude (WGS 84) coordinates, as GeoJSON must be.")
                % {"area": label}
            )
            continue
        areas.append(
            ParsedArea(
                key=key,
                name=(name or key)[:NAME_LENGTH],
                geometry={"type": geometry["type"], "coordinates": geometry["coordinates"]},
            )
        )
    if problems:
        raise ValidationError({"file": _problems(problems)})
    return ParsedMap(areas=areas)


KEY_COLUMNS = ("area", "area_key", "area_code", "district_code", "precinct")
NAME_COLUMNS = ("area_name", "district_name", "precinct_name")
ID_COLUMNS = ("household", "household_id", "external_id", "id")
ADDRESS_COLUMNS = ("district", "street", "house_number", "building", "floor", "unit", "postcode")


def _header_name(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", value.strip().lower()).strip("_")


def parse_household_file(raw: bytes) -> ParsedMap:
    """CSV with an area code per household, the household named by its external id or by its address."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError({"file": _("The file is not UTF-8 text. Save it as CSV UTF-8 and try again.")}) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None)
    if not header:
        raise ValidationError({"file": _("The file is empty.")})
    names = [_header_name(h) for h in header]
    key_col = next((names.index(c) for c in KEY_COLUMNS if c in names), None)
    if key_col is None:
        raise ValidationError(
            {"file": _("The file needs an area code column (one of: %(names)s).") % {"names": ", ".join(KEY_COLUMNS)}}
        )
    name_col = next((names.index(c) for c in NAME_COLUMNS if c in names), None)
    id_col = next((names.index(c) for c in ID_COLUMNS if c in names), None)
    address_cols = {c: names.index(c) for c in ADDRESS_COLUMNS if c in names}
    if id_col is None and not {"street", "building"} & set(address_cols):
        raise ValidationError(
            {
                "file": _("The file needs a household id column (%(ids)s) or address columns (%(address)s).")
                % {"ids": ", ".join(ID_COLUMNS), "address": ", ".join(ADDRESS_COLUMNS)}
            }
        )
    areas: dict[str, ParsedArea] = {}
    rows: list[tuple[int, dict[str, str], str]] = []
    problems: list[str] = []
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue

        def cell(index: int | None, cells: list[str] = cells) -> str:
            return " ".join(cells[index].split()) if index is not None and index < len(cells) else ""

        key = cell(key_col)
        if not key:
            problems.append(_("Line %(line)d has no area code.") % {"line": line})
            continue
        if len(key) > KEY_LENGTH:
            problems.append(_("Line %(line)d: the area code is too long.") % {"line": line})
            continue
        name = cell(name_col)[:NAME_LENGTH]
        if key not in areas:
            areas[key] = ParsedArea(key=key, name=name or key)
        elif name and areas[key].name == key:
            areas[key].name = name
        reference = {"external_id": cell(id_col)} if cell(id_col) else {c: cell(i) for c, i in address_cols.items()}
        if not any(reference.values()):
            problems.append(_("Line %(line)d names no household.") % {"line": line})
            continue
        rows.append((line, reference, key))
    if problems:
        raise ValidationError({"file": _problems(problems)})
    if not rows:
        raise ValidationError({"file": _("The file has no households in it.")})
    if len(areas) > MAX_AREAS:
        raise ValidationError({"file": _("A map may have at most %(max)d areas.") % {"max": MAX_AREAS}})
    return ParsedMap(areas=sorted(areas.values(), key=lambda a: a.key), rows=rows)


def address_match_key(values: dict[str, str]) -> tuple[str, ...]:
    """How a file's address columns are compared with a household's: case, spaces and a trailing
    "/F" on the floor do not matter."""

    def norm(value: str) -> str:
        return " ".join((value or "").casefold().split())

    floor = norm(values.get("floor", ""))
    floor = floor[:-2].strip() if floor.endswith("/f") else floor
    return tuple(floor if name == "floor" else norm(values.get(name, "")) for name in ADDRESS_COLUMNS)


def shapes_of(areas: list[ParsedArea] | list[Any]) -> list[Any]:
    return [shapely.geometry.shape(area.geometry) for area in areas]


def place_points(shapes: list[Any], lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, int]:
    """For each point the index of the first polygon it lies in (boundary included), -1 for none;
    and how many points fell in more than one polygon (overlapping areas: the first one wins)."""
    placed = np.full(len(lon), -1, dtype=np.int64)
    if not len(lon) or not shapes:
        return placed, 0
    tree = shapely.STRtree(shapes)
    points = shapely.points(lon, lat)
    point_idx, shape_idx = tree.query(points, predicate="intersects")
    if not len(point_idx):
        return placed, 0
    # Lowest polygon index per point: sort by (point, polygon) and keep each point's first pair.
    order = np.lexsort((shape_idx, point_idx))
    point_idx, shape_idx = point_idx[order], shape_idx[order]
    first = np.ones(len(point_idx), dtype=bool)
    first[1:] = point_idx[1:] != point_idx[:-1]
    placed[point_idx[first]] = shape_idx[first]
    return placed, int(np.unique(point_idx[~first]).size)


def bounds_of(geometry: dict[str, Any] | None) -> list[float] | None:
    if not geometry:
        return None
    minx, miny, maxx, maxy = shapely.bounds(shapely.geometry.shape(geometry))
    return [float(miny), float(minx), float(maxy), float(maxx)]

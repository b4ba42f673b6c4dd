"""kheo's own schemathesis check, for the answers its JSON Schema cannot describe.

schemathesis validates JSON bodies against the document; a PDF, a workbook, a vector tile,
an image, a KML or a CSV is a string of bytes to it. `body_is_what_its_type_says` opens
each successful answer as the type its Content-Type names, with the standard library, and
fails when it is not one: a PDF without its header or end, a workbook that is not a zip of
a workbook, a tile that is not a Mapbox Vector Tile 2.x (decoded here: every layer named,
version 2, every feature's tags pointing into the layer's keys and values), an image
without its signature, a KML that is not XML with a `kml` root, a CSV whose rows are not
all as wide as its header or which holds a cell that a spreadsheet would run as a formula.

tests/schemathesis_run.py imports this module before the CLI starts, so that the check is
registered, and tests/api/schemathesis.rs names it in `--checks`.
"""

import csv
import io
import zipfile
from xml.etree import ElementTree

import schemathesis
from protobuf_wire import fields as _fields
from protobuf_wire import packed as _packed


def _check_vector_tile(body):
    """Mapbox Vector Tile 2.1: a Tile of Layers (field 3), each with a name, version 2, and
    features whose tags are pairs of indices into the layer's keys and values."""
    names = set()
    for number, wire, layer in _fields(body):
        assert (number, wire) == (3, 2), f"a tile holds only layers (field 3), not field {number}"
        name, version, keys, values, features = None, 1, 0, 0, []
        for field, _, value in _fields(layer):
            if field == 1:
                name = value.decode("utf-8")
            elif field == 15:
                version = value
            elif field == 3:
                keys += 1
            elif field == 4:
                values += 1
            elif field == 2:
                features.append(value)
        assert name, "a tile's layer has no name"
        assert name not in names, f"the tile has two layers named {name!r}"
        names.add(name)
        assert version == 2, f"layer {name!r} is version {version}, not 2"
        for feature in features:
            parts = {field: value for field, _, value in _fields(feature)}
            tags = _packed(parts.get(2, b""))
            assert len(tags) % 2 == 0, f"a feature of {name!r} has an odd number of tags"
            assert all(k < keys for k in tags[0::2]), f"a feature of {name!r} names a key the layer lacks"
            assert all(v < values for v in tags[1::2]), f"a feature of {name!r} names a value the layer lacks"
            assert parts.get(3) in (1, 2, 3), f"a feature of {name!r} has no point, line or polygon type"
            assert parts.get(4), f"a feature of {name!r} has no geometry"


def _check_ooxml(body, part):
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        names = set(archive.namelist())
        assert "[Content_Types].xml" in names, "the zip has no [Content_Types].xml: not an Office file"
        assert part in names, f"the Office file has no {part}"
        broken = archive.testzip()
        assert broken is None, f"{broken} in the zip is corrupt"


# Formula starts that no number kheo writes begins with ("-" is left to numbers).
_FORMULA_STARTS = ("=", "+", "@", "\t", "\r")


def _check_csv(body):
    text = body.decode("utf-8-sig")
    # `decimal=comma` answers separate cells with ";" (as Excel does where "," is decimal).
    header = text.split("\n", 1)[0]
    delimiter = max([",", ";"], key=header.count)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    assert rows, "the CSV is empty: not even a header"
    width = len(rows[0])
    for number, row in enumerate(rows[1:], start=2):
        assert len(row) == width, f"CSV row {number} has {len(row)} cells, its header {width}"
        for cell in row:
            assert not cell.startswith(_FORMULA_STARTS), f"CSV row {number}: {cell!r} would run as a formula"


def _check_kml(body):
    root = ElementTree.fromstring(body)
    assert root.tag.rsplit("}", 1)[-1] == "kml", f"the KML's root is <{root.tag}>, not <kml>"


def _whole(response):
    return response.content_size <= len(response.content)


@schemathesis.check
def body_is_what_its_type_says(ctx, response, case):
    if not 200 <= response.status_code < 300 or response.status_code == 204:
        return None
    kind = (response.headers.get("content-type") or [""])[0].split(";")[0].strip().lower()
    body = response.content
    if kind == "application/pdf":
        assert body.startswith(b"%PDF-"), "a PDF that does not begin with %PDF-"
        if _whole(response):
            assert b"%%EOF" in body[-1024:], "a PDF without %%EOF at its end"
    elif kind.endswith("spreadsheetml.sheet") and _whole(response):
        _check_ooxml(body, "xl/workbook.xml")
    elif kind.endswith("wordprocessingml.document") and _whole(response):
        _check_ooxml(body, "word/document.xml")
    elif kind == "application/vnd.mapbox-vector-tile" and _whole(response):
        _check_vector_tile(body)
    elif kind == "image/png":
        assert body.startswith(b"\x89PNG\r\n\x1a\n"), "a PNG without its signature"
    elif kind == "image/jpeg":
        assert body.startswith(b"\xff\xd8\xff"), "a JPEG without its start-of-image marker"
    elif kind == "application/vnd.google-earth.kml+xml" and _whole(response):
        _check_kml(body)
    elif kind == "text/csv" and _whole(response):
        _check_csv(body)
    elif kind == "text/html":
        assert body.lstrip()[:15].lower() == b"<!doctype html>", "an HTML page without <!doctype html>"
    return None

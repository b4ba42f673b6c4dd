"""The protobuf wire format, read: enough to walk a Mapbox Vector Tile (a Tile of Layers
of Features) without a protobuf library. Standard library only; used by
tests/schemathesis_checks.py, which checks every tile kheo serves, and by bench/tiles.py,
which compares kheo's tiles with Martin's.
"""


def varint(data, at):
    """The varint at `at` and the position after it."""
    value, shift = 0, 0
    while True:
        if at >= len(data) or shift > 63:
            raise AssertionError("a protobuf varint runs past the end of its message")
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, at


def fields(data):
    """The (field number, wire type, value) of a protobuf message, in order: a varint's
    value as an int, any other field's as bytes."""
    at = 0
    while at < len(data):
        key, at = varint(data, at)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, at = varint(data, at)
        elif wire == 2:
            size, at = varint(data, at)
            if at + size > len(data):
                raise AssertionError(f"protobuf field {number} is longer than its message")
            value, at = data[at : at + size], at + size
        elif wire == 1:
            value, at = data[at : at + 8], at + 8
        elif wire == 5:
            value, at = data[at : at + 4], at + 4
        else:
            raise AssertionError(f"protobuf field {number} has the unknown wire type {wire}")
        yield number, wire, value


def packed(data):
    """The varints of a packed repeated field."""
    at, out = 0, []
    while at < len(data):
        value, at = varint(data, at)
        out.append(value)
    return out

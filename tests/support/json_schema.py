"""A small JSON Schema checker: the part of draft 2020-12 that our open data schema uses.

Keywords: type (one or a list), enum, properties, required, additionalProperties (boolean),
items, minimum, maximum, format (date, date-time) and local $ref (#/$defs/…). Any other keyword
is refused rather than ignored, so the schema cannot say more than this checker verifies.
Written here rather than adding a dependency; tested on documents that must fail.
"""

from __future__ import annotations

import datetime

TYPES = {
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "string": lambda value: isinstance(value, str),
    "integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "number": lambda value: isinstance(value, int | float) and not isinstance(value, bool),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
}
FORMATS = {
    "date": datetime.date.fromisoformat,
    "date-time": datetime.datetime.fromisoformat,
}
ANNOTATIONS = {"$schema", "$id", "title", "description", "$defs"}
KNOWN = ANNOTATIONS | {
    "type",
    "enum",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minimum",
    "maximum",
    "format",
    "$ref",
}


def errors(instance, schema: dict, root: dict | None = None, path: str = "$") -> list[str]:
    """Every way `instance` breaks `schema`, each with its JSON path; empty when it is valid."""
    root = root if root is not None else schema
    unknown = set(schema) - KNOWN
    if unknown:
        raise ValueError(f"{path}: keywords not checked here: {sorted(unknown)}")
    if "$ref" in schema:
        target = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return errors(instance, target, root, path)

    found = []
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(TYPES[name](instance) for name in types):
            return [f"{path}: {instance!r} is not of type {types}"]
    if "enum" in schema and instance not in schema["enum"]:
        found.append(f"{path}: {instance!r} is not one of {schema['enum']}")
    if isinstance(instance, int | float) and not isinstance(instance, bool):
        if "minimum" in schema and instance < schema["minimum"]:
            found.append(f"{path}: {instance} < {schema['minimum']}")
        if "maximum" in schema and instance > schema["maximum"]:
            found.append(f"{path}: {instance} > {schema['maximum']}")
    if isinstance(instance, str) and "format" in schema:
        try:
            FORMATS[schema["format"]](instance)
        except ValueError:
            found.append(f"{path}: {instance!r} is not a {schema['format']}")
    if isinstance(instance, dict):
        for name in schema.get("required", []):
            if name not in instance:
                found.append(f"{path}: {name!r} is missing")
        properties = schema.get("properties", {})
        for name, value in instance.items():
            if name in properties:
                found += errors(value, properties[name], root, f"{path}.{name}")
            elif schema.get("additionalProperties", True) is False:
                found.append(f"{path}: {name!r} is not allowed")
    if isinstance(instance, list) and "items" in schema:
        for index, item in enumerate(instance):
            found += errors(item, schema["items"], root, f"{path}[{index}]")
    return found

"""YAML with line numbers, and the shape checks that report problems at those lines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from flask_babel import gettext as _

from courses.packages.archive import Problem


class YamlMap(dict):
    """A YAML mapping that remembers its line and the line of each key."""

    line: int = 1
    lines: dict[Any, int]


class YamlSeq(list):
    """A YAML list that remembers its line and the line of each item."""

    line: int = 1
    lines: list[int]


class _Loader(yaml.SafeLoader):
    pass


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> YamlMap:
    loader.flatten_mapping(node)
    result = YamlMap()
    result.line, result.lines = node.start_mark.line + 1, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | bool | float) or key in result:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping",
                node.start_mark,
                f"found a duplicate or invalid key {key!r}",
                key_node.start_mark,
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> YamlSeq:
    result = YamlSeq(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def decode_text(name: str, data: bytes, problems: list[Problem]) -> str | None:
    """The file as text (without a BOM), or None and a problem when it is not UTF-8."""
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.append(Problem(name, line, _("This file is not UTF-8 text; save it as UTF-8.")))
        return None


def load_yaml(name: str, data: bytes, problems: list[Problem]) -> YamlMap | None:
    text = decode_text(name, data, problems)
    if text is None:
        return None
    try:
        doc = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader that records lines
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        detail = " ".join(part for part in (error.context, error.problem) if part)
        problems.append(
            Problem(name, mark.line + 1 if mark else None, _("YAML error: %(e)s", e=detail))
        )
        return None
    except yaml.YAMLError as error:
        problems.append(Problem(name, None, _("YAML error: %(e)s", e=str(error))))
        return None
    if not isinstance(doc, YamlMap):
        problems.append(Problem(name, 1, _("The file must hold a mapping of keys and values.")))
        return None
    return doc


_KINDS = {
    "text": (str,),
    "int": (int,),
    "bool": (bool,),
    "list": (list,),
    "map": (dict,),
    "track": (str, dict),
}


def _kind_name(kind: str) -> str:
    return {
        "text": _("text"),
        "int": _("a whole number"),
        "bool": _("true or false"),
        "list": _("a list"),
        "map": _("a mapping"),
        "track": _("a track code or a mapping with code, name and name_en"),
    }[kind]


@dataclass
class Checker:
    """Problems of one file."""

    file: str
    problems: list[Problem]

    def add(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.file, line, message))

    def fields(self, node: Any, keys: dict[str, tuple[str, bool]], line: int) -> YamlMap | None:
        """The known keys of a mapping, type-checked; None (and a problem) if not a mapping."""
        if not isinstance(node, YamlMap):
            self.add(line, _("Expected a mapping of keys and values here."))
            return None
        values = YamlMap()
        values.line, values.lines = node.line, node.lines
        for key in node:
            if key not in keys:
                self.add(node.lines.get(key, node.line), _("Unknown key “%(k)s”.", k=key))
        for key, (kind, required) in keys.items():
            value = node.get(key)
            if value is None or (kind == "text" and required and not str(value).strip()):
                if required:
                    self.add(node.lines.get(key, node.line), _("“%(k)s” is required.", k=key))
                continue
            types = _KINDS[kind]
            if not isinstance(value, types) or (kind == "int" and isinstance(value, bool)):
                self.add(
                    node.lines[key],
                    _("“%(k)s” must be %(kind)s.", k=key, kind=_kind_name(kind)),
                )
                continue
            values[key] = value.strip() if isinstance(value, str) else value
        return values

    def texts(self, values: YamlMap, key: str) -> list[tuple[str, int]]:
        """A list of strings with the line of each."""
        items = values.get(key) or YamlSeq()
        lines = getattr(items, "lines", [values.line] * len(items))
        found = []
        for item, line in zip(items, lines, strict=True):
            if isinstance(item, str) and item.strip():
                found.append((item.strip(), line))
            else:
                self.add(line, _("Each item of “%(k)s” must be text.", k=key))
        return found

    def line(self, values: YamlMap, key: str) -> int:
        return values.lines.get(key, values.line)

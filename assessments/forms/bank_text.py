"""The small text formats of the question forms, read into parts of a definition and written
back: tags, weights in percent, accepted answers, numerical answers, a rubric, and the YAML
body of the questions that have no form of their own.

Each ``parse_*`` returns what it read and a list of problems, each naming the line it is on;
the forms put the problems on their field. Each ``*_text`` writes what its parser reads, so a
definition loaded into a form and saved unchanged stays the same. Full-width digits and
punctuation (``－``, ``＝``, ``：``, ``，``) are read like their ASCII forms.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Collection

import yaml
from flask_babel import lazy_gettext as _l

from assessments.types.choice import number_text

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_FEEDBACK = re.compile(r"\s#\s*")
_LEADING = re.compile(r"^\s*([+\-－]?[0-9０-９]+(?:[.．][0-9０-９]*)?)\s*(.*)$", re.DOTALL)
_RANGE = re.compile(rf"^({_NUMBER})\s*(?:\.\.|–|~|～)\s*({_NUMBER})$")
_TOLERANCE = re.compile(rf"^({_NUMBER})(?:\s*(?:±|\+-|\+/-)\s*({_NUMBER}))?$")
_CRITERION = re.compile(r"^([^:：]+)[:：](.*)$")


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "")


# --- percentages and tags -------------------------------------------------------------------


def parse_percent(text: str) -> float | None:
    """ "50", "50%", "－100" as a fraction; None when not a percentage from -100 to 100."""
    text = _nfkc(text).strip().removesuffix("%").strip()
    if not text:
        return 0.0
    if not re.fullmatch(_NUMBER, text) or not -100 <= float(text) <= 100:
        return None
    return round(float(text) / 100, 7)


def percent_text(fraction: float) -> str:
    return number_text(round(fraction * 100, 5))


def parse_tags(text: str) -> list[str]:
    """Tags separated by commas or semicolons (Chinese ones and '、' too), without repeats."""
    parts = re.split(r"[,，、;；]", text or "")
    return list(dict.fromkeys(p.strip() for p in parts if p.strip()))


# --- a line's weight and feedback -----------------------------------------------------------


def _split_feedback(line: str) -> tuple[str, str | None]:
    """``text # feedback`` (a '#' after a space starts the feedback)."""
    match = _FEEDBACK.search(line)
    if not match:
        return line.strip(), None
    return line[: match.start()].strip(), line[match.end() :].strip() or None


def _leading_number(text: str) -> tuple[float, str] | None:
    """The number a text starts with (full-width digits too) and the rest of the text."""
    match = _LEADING.match(text)
    if not match:
        return None
    return float(_nfkc(match.group(1)).replace("－", "-")), match.group(2)


def _split_weight(text: str) -> tuple[str, float | None]:
    """``text =50%`` → ("text", 0.5); no weight: full marks; a bad weight: None."""
    cut = max(text.rfind("="), text.rfind("＝"))
    weight = _nfkc(text[cut + 1 :]).strip() if cut >= 0 else ""
    if cut < 0 or not re.fullmatch(rf"{_NUMBER}\s*%", weight):
        return text.strip(), 1.0
    value = float(weight.removesuffix("%").strip())
    if not 0 <= value <= 100:
        return text[:cut].strip(), None
    return text[:cut].strip(), round(value / 100, 7)


def _weight_suffix(item: dict) -> str:
    fraction = item.get("fraction", 1.0)
    text = "" if abs(fraction - 1.0) < 1e-9 else f" ={percent_text(fraction)}%"
    return text + (f" # {item['feedback']}" if item.get("feedback") else "")


# --- accepted answers -----------------------------------------------------------------------


def parse_short_answers(text: str) -> tuple[list[dict], list[str]]:
    """One accepted answer per line, each with an optional ``=50%`` weight and
    ``# feedback``."""
    answers, errors = [], []
    for number, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        body, feedback = _split_feedback(line)
        body, fraction = _split_weight(body)
        if fraction is None:
            errors.append(_l("Line %(n)d: a weight is a percentage from 0 to 100.", n=number))
        elif not body:
            errors.append(_l("Line %(n)d: write the answer.", n=number))
        else:
            answer = {"text": body, "fraction": fraction}
            if feedback:
                answer["feedback"] = feedback
            answers.append(answer)
    return answers, errors


def short_answers_text(answers: list[dict]) -> str:
    return "\n".join(a.get("text", "") + _weight_suffix(a) for a in answers)


def parse_numerical(text: str) -> tuple[list[dict], list[str]]:
    """Lines ``10 ± 0.5``, ``3..5`` or ``10``, each with an optional ``=50%`` weight and
    ``# feedback``."""
    answers, errors = [], []
    for number, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        body, feedback = _split_feedback(line)
        body, fraction = _split_weight(body)
        body = _nfkc(body).strip()
        ranged, single = _RANGE.match(body), _TOLERANCE.match(body)
        if fraction is None:
            errors.append(_l("Line %(n)d: a weight is a percentage from 0 to 100.", n=number))
            continue
        if ranged:
            answer = {"min": float(ranged.group(1)), "max": float(ranged.group(2))}
        elif single:
            answer = {"value": float(single.group(1))}
            answer["tolerance"] = float(single.group(2)) if single.group(2) else 0.0
        else:
            errors.append(
                _l(
                    "Line %(n)d: write a number, “value ± tolerance” or “min..max”.",
                    n=number,
                )
            )
            continue
        answer["fraction"] = fraction
        if feedback:
            answer["feedback"] = feedback
        answers.append(answer)
    return answers, errors


def numerical_text(answers: list[dict]) -> str:
    lines = []
    for answer in answers:
        if "min" in answer:
            body = f"{number_text(answer['min'])}..{number_text(answer['max'])}"
        elif answer.get("tolerance"):
            body = f"{number_text(answer['value'])} ± {number_text(answer['tolerance'])}"
        else:
            body = number_text(answer.get("value", 0))
        lines.append(body + _weight_suffix(answer))
    return "\n".join(lines)


# --- a rubric -------------------------------------------------------------------------------


def parse_rubric(text: str, old: dict | None = None) -> tuple[dict | None, list[str]]:
    """One criterion per line: ``共情: 0 没有 | 2 部分 | 4 充分``. Criteria keep the id (and
    English name) of the criterion of the same name in ``old``."""
    known = {c.get("name"): c for c in ((old or {}).get("criteria") or []) if isinstance(c, dict)}
    criteria, errors = [], []
    taken = {c["id"] for c in known.values() if isinstance(c.get("id"), str)}
    for number, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        head = _CRITERION.match(line.strip())
        if not head or not head.group(1).strip():
            errors.append(
                _l(
                    "Line %(n)d: write “criterion: points description | points description”.",
                    n=number,
                )
            )
            continue
        name = head.group(1).strip()
        levels, bad = [], False
        for position, part in enumerate(head.group(2).split("|"), 1):
            level = _leading_number(part)
            if level is None or not level[1].strip():
                errors.append(
                    _l(
                        "Line %(n)d, level %(k)d: write the points, then the description "
                        "(e.g. “2 部分”).",
                        n=number,
                        k=position,
                    )
                )
                bad = True
                continue
            points, descriptor = level
            if points < 0:
                errors.append(
                    _l(
                        "Line %(n)d, level %(k)d: points must not be negative.",
                        n=number,
                        k=position,
                    )
                )
                bad = True
            levels.append({"points": points, "descriptor": descriptor.strip()})
        if not bad and len(levels) < 2:
            errors.append(_l("Line %(n)d: a criterion needs at least 2 levels.", n=number))
            bad = True
        if any(c["name"] == name for c in criteria):
            errors.append(_l("Line %(n)d: the criterion “%(c)s” is there twice.", n=number, c=name))
            bad = True
        if bad:
            continue
        previous = known.get(name)
        if previous and isinstance(previous.get("id"), str):
            criterion_id = previous["id"]
        else:
            count = len(criteria) + 1
            while f"c{count}" in taken:
                count += 1
            criterion_id = f"c{count}"
        taken.add(criterion_id)
        criterion = {"id": criterion_id, "name": name, "levels": levels}
        if previous and previous.get("name_en"):
            criterion["name_en"] = previous["name_en"]
        criteria.append(criterion)
    if errors or not criteria:
        return None, errors
    return {"criteria": criteria}, []


def rubric_text(rubric: dict | None) -> str:
    lines = []
    for criterion in (rubric or {}).get("criteria") or []:
        levels = " | ".join(
            f"{number_text(level['points'])} {level['descriptor']}" for level in criterion["levels"]
        )
        lines.append(f"{criterion['name']}: {levels}")
    return "\n".join(lines)


# --- the YAML body of a definition ----------------------------------------------------------


# an example of the YAML body of each kind, shown next to the field
YAML_EXAMPLES = {
    "matching": (
        "pairs:\n"
        "  - prompt: 商品破损\n    answer: 质检部\n"
        "  - prompt: 快递丢件\n    answer: 物流部\n"
        "distractors:\n  - 市场部\n"
    ),
    "ordering": "items:\n  - 倾听并确认问题\n  - 致歉并共情\n  - 给出解决方案\n  - 跟进确认\n",
    "scenario": (
        "case: |\n  顾客：我的快递三天了还没到！\n  客服：……\n"
        "parts:\n"
        "  - id: p1\n    weight: 1\n    question:\n      type: true_false\n"
        "      stem: 客服应先致歉。\n      answer: true\n"
        "  - id: p2\n    weight: 2\n    question:\n      type: essay\n"
        "      stem: 写出你的回复。\n"
    ),
}


def parse_yaml_body(
    text: str, kind: str, reserved: Collection[str]
) -> tuple[dict | None, list[str]]:
    """The keys of a definition written as YAML, with the ids the author left out filled in;
    None and the problems when it is not a mapping of plain values or names a key in
    ``reserved`` (those have fields of their own)."""
    try:
        if any(isinstance(e, yaml.AliasEvent) for e in yaml.parse(text or "")):
            return None, [_l("Write every value out: YAML aliases (*name) are not used.")]
        loaded = yaml.safe_load(text or "") or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        if mark is not None:
            message = _l(
                "Line %(n)d, column %(c)d: %(p)s", n=mark.line + 1, c=mark.column + 1, p=problem
            )
        else:
            message = str(problem)
        return None, [message]
    if not isinstance(loaded, dict):
        return None, [_l("The YAML must be a mapping of keys to values.")]
    try:
        loaded = json.loads(json.dumps(loaded, allow_nan=False))
    except (TypeError, ValueError):
        return None, [_l("Use only text, numbers, true/false, lists and mappings (quote dates).")]
    errors = [
        _l("“%(k)s” has its own field above; remove it from the YAML.", k=key)
        for key in loaded
        if key in reserved
    ]
    if errors:
        return None, errors
    return _with_ids(kind, loaded), []


def yaml_body_text(definition: dict, reserved: Collection[str]) -> str:
    """The definition without the ``reserved`` keys, as YAML."""
    rest = {k: v for k, v in definition.items() if k not in reserved}
    return yaml.safe_dump(rest, allow_unicode=True, sort_keys=False, width=1000)


def _with_ids(kind: str, loaded: dict) -> dict:
    """Ids filled in where the author left them out (items may also be plain strings)."""
    loaded = dict(loaded)
    if kind == "ordering" and isinstance(loaded.get("items"), list):
        loaded["items"] = [
            {"id": str(n), "text": item} if isinstance(item, str) else item
            for n, item in enumerate(loaded["items"], 1)
        ]
    for key, prefix in (("items", ""), ("pairs", ""), ("parts", "p")):
        if isinstance(loaded.get(key), list):
            for n, entry in enumerate(loaded[key], 1):
                if isinstance(entry, dict) and entry.get("id") is None:
                    entry["id"] = f"{prefix}{n}"
                elif isinstance(entry, dict) and not isinstance(entry["id"], str):
                    entry["id"] = str(entry["id"])
    return loaded

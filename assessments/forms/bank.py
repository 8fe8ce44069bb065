"""Forms of the question bank: categories, one form per kind of question, the import.

Each question form turns its fields into a definition (``build``) and back (``load``). Text
areas in small formats (accepted answers, numerical answers, a rubric) are parsed here and
their problems name the line; the definition is then judged by ``assessments.types.validate``
and every problem is put on the field it concerns (``show_problems``). Keys of the definition
that a form does not edit (an English option text, ``shuffle``, a GIFT ``format``) are kept.
Tags are the question's (``tag_list`` goes to the bank service), not part of the definition.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any, ClassVar

import yaml
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from assessments import bank
from assessments.formats import option_id
from assessments.types import DefinitionError, validate
from assessments.types.choice import number_text
from lms.forms import choices

TYPE_LABELS = {
    "single_choice": _l("Single choice"),
    "multiple_choice": _l("Multiple choice"),
    "true_false": _l("True/false"),
    "short_answer": _l("Short answer"),
    "numerical": _l("Numerical"),
    "matching": _l("Matching"),
    "ordering": _l("Ordering"),
    "essay": _l("Essay"),
    "scenario": _l("Scenario"),
    "description": _l("Description"),
}
OPTION_ROWS = 8
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_WEIGHT = re.compile(rf"^(.*?)\s*=\s*({_NUMBER})\s*%$")
_FEEDBACK = re.compile(r"\s#\s*")
_QUOTED_KEY = re.compile(r"“([A-Za-z_]+)")
_LEADING = re.compile(r"^\s*([+\-－]?[0-9０-９]+(?:[.．][0-9０-９]*)?)\s*(.*)$", re.DOTALL)


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "")


def _percent(text: str) -> float | None:
    """ "50", "50%", "－100" as a fraction; None when not a percentage from -100 to 100."""
    text = _nfkc(text).strip().removesuffix("%").strip()
    if not text:
        return 0.0
    if not re.fullmatch(_NUMBER, text) or not -100 <= float(text) <= 100:
        return None
    return round(float(text) / 100, 7)


def _percent_text(fraction: float) -> str:
    return number_text(round(fraction * 100, 5))


def _tags(text: str) -> list[str]:
    parts = re.split(r"[,，、;；]", text or "")
    return list(dict.fromkeys(p.strip() for p in parts if p.strip()))


def _add_error(field: Any, message: str) -> None:
    field.errors = [*field.errors, message]


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
    text = "" if abs(fraction - 1.0) < 1e-9 else f" ={_percent_text(fraction)}%"
    return text + (f" # {item['feedback']}" if item.get("feedback") else "")


# --- categories -----------------------------------------------------------------------------


class CategoryForm(FlaskForm):
    name = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=100)])
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=100)])
    parent = SelectField(_l("Inside"), choices=[], validate_choice=True)
    track = SelectField(_l("Track (optional)"), choices=[], validate_choice=True)


# --- questions ------------------------------------------------------------------------------


class QuestionForm(FlaskForm):
    """The fields every kind of question has; subclasses add their own."""

    managed: ClassVar[tuple[str, ...]] = ()  # definition keys this form edits
    common: ClassVar[tuple[str, ...]] = ("title", "stem", "stem_en", "general_feedback")

    category = SelectField(_l("Category"), choices=[], validate_choice=True)
    title = StringField(_l("Title (optional)"), validators=[Optional(), Length(max=200)])
    stem = TextAreaField(_l("Question text (Markdown)"), render_kw={"rows": 4})
    stem_en = TextAreaField(_l("Question text in English (optional)"), render_kw={"rows": 2})
    tags = StringField(_l("Tags (comma separated)"), validators=[Optional(), Length(max=500)])
    general_feedback = TextAreaField(
        _l("General feedback (shown after answering)"), render_kw={"rows": 2}
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.problems: list[str] = []  # problems no single field is to blame for

    # definition → fields
    def load(self, definition: dict) -> None:
        self.title.data = definition.get("title") or ""
        self.stem.data = definition.get("stem") or ""
        self.stem_en.data = definition.get("stem_en") or ""
        self.general_feedback.data = definition.get("general_feedback") or ""
        self.load_own(definition)

    def load_own(self, definition: dict) -> None:
        pass

    # fields → definition
    @property
    def tag_list(self) -> list[str]:
        return _tags(self.tags.data)

    def build(self, kind: str, old: dict | None = None) -> dict | None:
        """The definition, or None when a field has a problem (the errors are on the form)."""
        old = old if old and old.get("type") == kind else {}
        keep = set(self.common) | set(self.managed) | {"type"}
        definition: dict[str, Any] = {"type": kind}
        definition.update({k: v for k, v in old.items() if k not in keep})
        for key in ("title", "stem", "stem_en", "general_feedback"):
            value = (getattr(self, key).data or "").strip()
            if value:
                definition[key] = value
        tags = self.tag_list
        for tag in tags:
            if not bank.TAG.match(tag):
                _add_error(
                    self.tags,
                    _l("“%(tag)s”: a tag has letters, digits, '-' or '_' (at most 50).", tag=tag),
                )
        ok = self.build_own(definition, old) and not self.tags.errors
        if not ok:
            return None
        for key in (*self.common, *self.managed):  # an empty value the form leaves out
            if key not in definition and key in old and not old[key]:
                definition[key] = old[key]
        try:
            validate(definition)
        except DefinitionError as error:
            self.show_problems(error.problems)
            return None
        return definition

    def build_own(self, definition: dict, old: dict) -> bool:
        return True

    def field_for(self, key: str) -> Any:
        """The field a problem about this definition key belongs on (None: the form)."""
        return getattr(self, key) if key in (*self.common, "tags") else None

    def show_problems(self, problems: list[str]) -> None:
        for problem in problems:
            match = _QUOTED_KEY.search(problem)
            field = self.field_for(match.group(1)) if match else None
            if field is None:
                self.problems.append(problem)
            else:
                _add_error(field, problem)


class OptionForm(Form):
    option_id = HiddenField()
    text = StringField(_l("Option"), validators=[Optional(), Length(max=2000)])
    fraction = StringField(_l("Weight (%)"), validators=[Optional(), Length(max=12)])
    feedback = StringField(_l("Feedback"), validators=[Optional(), Length(max=2000)])


class ChoiceForm(QuestionForm):
    """Single and multiple choice: a row per option with its weight in percent."""

    managed = ("options",)
    options = FieldList(FormField(OptionForm), min_entries=OPTION_ROWS, max_entries=52)

    def load_own(self, definition: dict) -> None:
        while len(self.options) > 0:
            self.options.pop_entry()
        rows = definition.get("options") or []
        for option in rows:
            self.options.append_entry(
                {
                    "option_id": option.get("id", ""),
                    "text": option.get("text", ""),
                    "fraction": _percent_text(option.get("fraction", 0)),
                    "feedback": option.get("feedback") or "",
                }
            )
        while len(self.options) < max(OPTION_ROWS, len(rows)):
            self.options.append_entry()

    def build_own(self, definition: dict, old: dict) -> bool:
        previous = {o.get("id"): o for o in old.get("options", []) if isinstance(o, dict)}
        rows, ok = [], True
        for row in self.options:
            text = (row.text.data or "").strip()
            weight, feedback = row.fraction.data or "", (row.feedback.data or "").strip()
            if not text:
                if weight.strip() or feedback:
                    _add_error(row.text, _l("Write the option's text, or clear the row."))
                    ok = False
                continue
            fraction = _percent(weight)
            if fraction is None:
                _add_error(row.fraction, _l("A weight is a percentage from -100 to 100."))
                ok = False
                continue
            rows.append((row.option_id.data or "", text, fraction, feedback))
        used = {rid for rid, *_rest in rows if rid}
        seen: set[str] = set()
        options, fresh = [], 0
        for rid, text, fraction, feedback in rows:
            if not rid or rid in seen:
                while option_id(fresh) in used | seen:
                    fresh += 1
                rid = option_id(fresh)
            seen.add(rid)
            before = previous.get(rid, {})
            option = {k: v for k, v in before.items() if k not in ("text", "fraction", "feedback")}
            option |= {"id": rid, "text": text, "fraction": fraction}
            if feedback or "feedback" in before and not before["feedback"]:
                option["feedback"] = feedback
            options.append(option)
        definition["options"] = options
        single = ok and definition["type"] == "single_choice" and options
        if single and not any(abs(o["fraction"] - 1) < 1e-9 for o in options):
            self.problems.append(_l("Give the right option the weight 100%."))
            ok = False
        if ok and definition["type"] == "multiple_choice" and options:
            total = sum(o["fraction"] for o in options if o["fraction"] > 0)
            if abs(total - 1) > 0.001:
                self.problems.append(
                    _l(
                        "The positive weights must add up to 100%% (they add up to %(t)s%%).",
                        t=_percent_text(total),
                    )
                )
                ok = False
        return ok


class TrueFalseForm(QuestionForm):
    managed = ("answer", "feedback_true", "feedback_false")
    answer = RadioField(
        _l("The statement is"),
        choices=choices([("true", _l("True")), ("false", _l("False"))]),
        default="true",
    )
    feedback_true = StringField(_l("Feedback for the answer “true”"), validators=[Optional()])
    feedback_false = StringField(_l("Feedback for the answer “false”"), validators=[Optional()])

    def load_own(self, definition: dict) -> None:
        self.answer.data = "true" if definition.get("answer", True) else "false"
        self.feedback_true.data = definition.get("feedback_true") or ""
        self.feedback_false.data = definition.get("feedback_false") or ""

    def build_own(self, definition: dict, old: dict) -> bool:
        definition["answer"] = self.answer.data == "true"
        for key in ("feedback_true", "feedback_false"):
            value = (getattr(self, key).data or "").strip()
            if value:
                definition[key] = value
        return True

    def field_for(self, key: str) -> Any:
        return getattr(self, key) if key in self.managed else super().field_for(key)


class ShortAnswerForm(QuestionForm):
    managed = ("answers", "case_sensitive")
    answers = TextAreaField(_l("Accepted answers, one per line"), render_kw={"rows": 5})
    case_sensitive = BooleanField(_l("Upper and lower case must match"))

    def load_own(self, definition: dict) -> None:
        self.answers.data = "\n".join(
            a.get("text", "") + _weight_suffix(a) for a in definition.get("answers") or []
        )
        self.case_sensitive.data = bool(definition.get("case_sensitive"))

    def build_own(self, definition: dict, old: dict) -> bool:
        answers, ok = [], True
        for number, line in enumerate((self.answers.data or "").splitlines(), 1):
            if not line.strip():
                continue
            text, feedback = _split_feedback(line)
            text, fraction = _split_weight(text)
            if fraction is None:
                message = _l("Line %(n)d: a weight is a percentage from 0 to 100.", n=number)
                _add_error(self.answers, message)
                ok = False
            elif not text:
                _add_error(self.answers, _l("Line %(n)d: write the answer.", n=number))
                ok = False
            else:
                answer = {"text": text, "fraction": fraction}
                if feedback:
                    answer["feedback"] = feedback
                answers.append(answer)
        definition["answers"] = answers
        if self.case_sensitive.data:
            definition["case_sensitive"] = True
        return ok

    def field_for(self, key: str) -> Any:
        return self.answers if key == "answers" else super().field_for(key)


_RANGE = re.compile(rf"^({_NUMBER})\s*(?:\.\.|–|~|～)\s*({_NUMBER})$")
_TOLERANCE = re.compile(rf"^({_NUMBER})(?:\s*(?:±|\+-|\+/-)\s*({_NUMBER}))?$")


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


class NumericalForm(QuestionForm):
    managed = ("answers", "unit")
    answers = TextAreaField(_l("Accepted answers, one per line"), render_kw={"rows": 4})
    unit = StringField(_l("Unit (optional, shown)"), validators=[Optional(), Length(max=20)])

    def load_own(self, definition: dict) -> None:
        self.answers.data = numerical_text(definition.get("answers") or [])
        self.unit.data = definition.get("unit") or ""

    def build_own(self, definition: dict, old: dict) -> bool:
        answers, errors = parse_numerical(self.answers.data)
        for message in errors:
            _add_error(self.answers, message)
        definition["answers"] = answers
        if (self.unit.data or "").strip():
            definition["unit"] = self.unit.data.strip()
        return not errors

    def field_for(self, key: str) -> Any:
        return getattr(self, key) if key in self.managed else super().field_for(key)


_CRITERION = re.compile(r"^([^:：]+)[:：](.*)$")


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


class EssayForm(QuestionForm):
    managed = ("min_words", "max_words", "rubric", "grader_info")
    min_words = IntegerField(
        _l("At least (words)"), validators=[Optional(), NumberRange(min=0, max=100000)]
    )
    max_words = IntegerField(
        _l("At most (words)"), validators=[Optional(), NumberRange(min=0, max=100000)]
    )
    rubric = TextAreaField(_l("Rubric (optional), one criterion per line"), render_kw={"rows": 4})
    grader_info = TextAreaField(_l("Information for graders"), render_kw={"rows": 2})

    def load_own(self, definition: dict) -> None:
        self.min_words.data = definition.get("min_words")
        self.max_words.data = definition.get("max_words")
        self.rubric.data = rubric_text(definition.get("rubric"))
        self.grader_info.data = definition.get("grader_info") or ""

    def build_own(self, definition: dict, old: dict) -> bool:
        for key in ("min_words", "max_words"):
            if getattr(self, key).data is not None:
                definition[key] = getattr(self, key).data
        if (self.grader_info.data or "").strip():
            definition["grader_info"] = self.grader_info.data.strip()
        if not (self.rubric.data or "").strip():
            return True
        rubric, errors = parse_rubric(self.rubric.data, old.get("rubric"))
        for message in errors:
            _add_error(self.rubric, message)
        if rubric is not None:
            definition["rubric"] = rubric
        return not errors

    def field_for(self, key: str) -> Any:
        return getattr(self, key) if key in self.managed else super().field_for(key)


class DescriptionForm(QuestionForm):
    """Text between questions: no answer, no marks."""


class YamlForm(QuestionForm):
    """Matching, ordering and scenario questions: the rest of the definition as YAML."""

    body = TextAreaField(
        _l("Definition (YAML)"),
        validators=[Length(max=200_000)],
        render_kw={"rows": 14, "spellcheck": "false"},
    )
    reserved: ClassVar[tuple[str, ...]] = (*QuestionForm.common, "type", "tags")

    def load(self, definition: dict) -> None:
        super().load(definition)
        rest = {k: v for k, v in definition.items() if k not in self.reserved}
        self.body.data = yaml.safe_dump(rest, allow_unicode=True, sort_keys=False, width=1000)

    def build(self, kind: str, old: dict | None = None) -> dict | None:
        # the YAML holds every other key, so nothing else of the old is kept
        kept = {k: v for k, v in (old or {}).items() if k in ("type", "tags")}
        return super().build(kind, kept)

    def build_own(self, definition: dict, old: dict) -> bool:
        try:
            if any(isinstance(e, yaml.AliasEvent) for e in yaml.parse(self.body.data or "")):
                _add_error(
                    self.body, _l("Write every value out: YAML aliases (*name) are not used.")
                )
                return False
            loaded = yaml.safe_load(self.body.data or "") or {}
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            problem = getattr(error, "problem", None) or str(error)
            if mark is not None:
                message = _l(
                    "Line %(n)d, column %(c)d: %(p)s", n=mark.line + 1, c=mark.column + 1, p=problem
                )
            else:
                message = str(problem)
            _add_error(self.body, message)
            return False
        if not isinstance(loaded, dict):
            _add_error(self.body, _l("The YAML must be a mapping of keys to values."))
            return False
        try:
            loaded = json.loads(json.dumps(loaded, allow_nan=False))
        except (TypeError, ValueError):
            message = _l("Use only text, numbers, true/false, lists and mappings (quote dates).")
            _add_error(self.body, message)
            return False
        ok = True
        for key in loaded:
            if key in self.reserved:
                message = _l("“%(k)s” has its own field above; remove it from the YAML.", k=key)
                _add_error(self.body, message)
                ok = False
        if not ok:
            return False
        definition.update(_with_ids(definition["type"], loaded))
        return True

    def field_for(self, key: str) -> Any:
        found = super().field_for(key)
        return found if found is not None else self.body


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

FORMS: dict[str, type[QuestionForm]] = {
    "single_choice": ChoiceForm,
    "multiple_choice": ChoiceForm,
    "true_false": TrueFalseForm,
    "short_answer": ShortAnswerForm,
    "numerical": NumericalForm,
    "essay": EssayForm,
    "description": DescriptionForm,
    "matching": YamlForm,
    "ordering": YamlForm,
    "scenario": YamlForm,
}


# --- import ---------------------------------------------------------------------------------


class ImportForm(FlaskForm):
    format = SelectField(
        _l("Format"),
        choices=choices([("gift", _l("GIFT (Moodle)")), ("aiken", _l("Aiken"))]),
        default="gift",
    )
    category = SelectField(_l("Import into"), choices=[], validate_choice=True)
    file = FileField(
        _l("File (.txt or .gift)"),
        validators=[FileAllowed(["txt", "gift"], _l("Upload a .txt or .gift file."))],
    )
    text = TextAreaField(_l("…or paste the questions"), render_kw={"rows": 10})
    action = HiddenField(default="preview")

"""Forms of the question bank: categories, one form per kind of question, the import.

Each question form turns its fields into a definition (``build``) and back (``load``). Text
areas in small formats (accepted answers, numerical answers, a rubric, the YAML body) are read
and written by ``assessments.forms.bank_text``, whose problems name the line; the definition is
then judged by ``assessments.types.validate`` and every problem is put on the field it concerns
(``show_problems``). Keys of the definition that a form does not edit (an English option text,
``shuffle``, a GIFT ``format``) are kept. Tags are the question's (``tag_list`` goes to the
bank service), not part of the definition.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

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
from assessments.forms.bank_text import (
    numerical_text,
    parse_numerical,
    parse_percent,
    parse_rubric,
    parse_short_answers,
    parse_tags,
    parse_yaml_body,
    percent_text,
    rubric_text,
    short_answers_text,
    yaml_body_text,
)
from assessments.types import DefinitionError, validate
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
_QUOTED_KEY = re.compile(r"“([A-Za-z_]+)")


def _add_error(field: Any, message: str) -> None:
    field.errors = [*field.errors, message]


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
        return parse_tags(self.tags.data)

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
                    "fraction": percent_text(option.get("fraction", 0)),
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
            fraction = parse_percent(weight)
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
                        t=percent_text(total),
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
        self.answers.data = short_answers_text(definition.get("answers") or [])
        self.case_sensitive.data = bool(definition.get("case_sensitive"))

    def build_own(self, definition: dict, old: dict) -> bool:
        answers, errors = parse_short_answers(self.answers.data)
        for message in errors:
            _add_error(self.answers, message)
        definition["answers"] = answers
        if self.case_sensitive.data:
            definition["case_sensitive"] = True
        return not errors

    def field_for(self, key: str) -> Any:
        return self.answers if key == "answers" else super().field_for(key)


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
        self.body.data = yaml_body_text(definition, self.reserved)

    def build(self, kind: str, old: dict | None = None) -> dict | None:
        # the YAML holds every other key, so nothing else of the old is kept
        kept = {k: v for k, v in (old or {}).items() if k in ("type", "tags")}
        return super().build(kind, kept)

    def build_own(self, definition: dict, old: dict) -> bool:
        loaded, errors = parse_yaml_body(self.body.data, definition["type"], self.reserved)
        for message in errors:
            _add_error(self.body, message)
        if loaded is None:
            return False
        definition.update(loaded)
        return True

    def field_for(self, key: str) -> Any:
        found = super().field_for(key)
        return found if found is not None else self.body


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

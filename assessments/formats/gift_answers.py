"""Reading a GIFT answer block ``{...}``: which kind of question it makes, and its answers.

    {}                      essay              {T} {FALSE#wrong#right}   true_false
    {=right ~wrong}         single_choice      {~%50%a ~%50%b ~c}        multiple_choice
    {=answer =%50%other}    short_answer       {=a -> 1 =b -> 2}         matching
    {#3:0.5} {#1..5}        numerical          {... ####general feedback}

Answers are split at unescaped ``=`` and ``~`` (``＝``/``～`` only at the start of the block
or after a space), an answer's feedback starts at ``#`` (or ``＃``), a weight is ``%50%``
right after the ``=``/``~``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from assessments.formats import ParseError, option_id
from assessments.formats.gift_scan import (
    EQUALS,
    FORMAT_PREFIX,
    HASH,
    PERCENT,
    TILDE,
    TRUE_FALSE,
    Ch,
    Span,
    convert,
    error,
    find,
    find_arrow,
    fold,
    is_mark,
    is_space,
    strip,
    text_of,
)
from assessments.formats.messages import _

_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_HUNDRED = Decimal(100)


@dataclass
class _Answer:
    mark: Ch  # the '=' or '~' (or the '#' of a numerical answer without '=')
    body: Span


def read_answer_block(
    opening: Ch, body: Span, fmt: str | None, errors: list[ParseError]
) -> dict[str, Any] | None:
    """The type and answers of the question (None after adding to ``errors``)."""
    count = len(errors)
    general = ""
    at = _general_feedback_at(body)
    if at >= 0:
        own_format, text = _unformat(body[at + 4 :])
        general = convert(text_of(text), own_format or fmt).strip()
        body = body[:at]
    body = strip(body)
    first_hash = find(body, HASH)
    if not body:
        spec: dict[str, Any] | None = {"type": "essay", "response_format": "text"}
    elif first_hash == 0:
        spec = _numerical(body[0], body[1:], errors)
    elif fold(text_of(body[:first_hash] if first_hash > 0 else body)).upper() in TRUE_FALSE:
        spec = _true_false(body)
    else:
        spec = _by_markers(opening, body, errors)
    if spec is None or len(errors) > count:
        return None
    if general:
        spec["general_feedback"] = general
    return spec


def _general_feedback_at(body: Span) -> int:
    """The last run of four unescaped hashes (Moodle's ``####``), or -1."""
    for i in range(len(body) - 4, -1, -1):
        if all(is_mark(ch, HASH) for ch in body[i : i + 4]):
            return i
    return -1


def _split(span: Span) -> tuple[Span, list[_Answer]]:
    """The text before the first marker, and the answers."""
    lead: Span = []
    answers: list[_Answer] = []
    current = lead
    for i, ch in enumerate(span):
        ascii_mark = is_mark(ch, "=~")
        wide_mark = is_mark(ch, "＝～") and (i == 0 or is_space(span[i - 1]))
        if ascii_mark or wide_mark:
            answers.append(_Answer(ch, []))
            current = answers[-1].body
        else:
            current.append(ch)
    return lead, answers


def _by_markers(opening: Ch, body: Span, errors: list[ParseError]) -> dict[str, Any] | None:
    lead, answers = _split(body)
    if strip(lead) or not answers:
        first = strip(lead)[0] if strip(lead) else opening
        errors.append(
            error(
                first,
                _(
                    "expected an answer starting with '=' or '~' (or T, F, #number,"
                    " or nothing for an essay)"
                ),
            )
        )
        return None
    arrow = find_arrow(body)
    if any(is_mark(answer.mark, TILDE) for answer in answers):
        if arrow >= 0:
            errors.append(
                error(
                    body[arrow],
                    _(
                        "'->' belongs in matching questions, where every answer is"
                        " '=prompt -> answer'; write -\\> for an arrow in the text"
                    ),
                )
            )
            return None
        return _choice(answers, errors)
    if arrow >= 0:
        return _matching(answers, errors)
    return _short_answer(answers, errors)


def _weight(answer: _Answer, errors: list[ParseError]) -> tuple[Decimal | None, Span]:
    """``%50%`` at the start of an answer: the percentage, and the rest of the answer."""
    span = strip(answer.body)
    if not span or not is_mark(span[0], PERCENT):
        return None, span
    end = find(span, PERCENT, 1)
    if end < 0:
        errors.append(error(span[0], _("expected a closing '%' after the weight (e.g. %50%)")))
        return None, span
    raw = fold(text_of(span[1:end]))
    weight = Decimal(raw) if _NUMBER.fullmatch(raw) else None
    if weight is None:
        message = _("expected a number as the weight, found '%%%(found)s%%'", found=raw)
        errors.append(error(span[0], message))
    elif not -_HUNDRED <= weight <= _HUNDRED:
        message = _("expected a weight from -100%% to 100%%, found %(found)s%%", found=raw)
        errors.append(error(span[0], message))
        weight = None
    return weight, span[end + 1 :]


def _fraction(weight: Decimal) -> float:
    return float(weight / _HUNDRED)


def _feedback(span: Span) -> tuple[Span, str | None]:
    """The answer and its feedback (after the first ``#``)."""
    at = find(span, HASH)
    if at < 0:
        return span, None
    return span[:at], _clean(span[at + 1 :]) or None


def _unformat(span: Span) -> tuple[str | None, Span]:
    """A leading ``[html]``-style format, and the text after it."""
    span = strip(span)
    match = FORMAT_PREFIX.match(text_of(span))
    if match is None:
        return None, span
    return match.group(1), strip(span[match.end() :])


def _clean(span: Span) -> str:
    return text_of(_unformat(span)[1])


def _with_feedback(item: dict[str, Any], feedback: str | None) -> dict[str, Any]:
    if feedback:
        item["feedback"] = feedback
    return item


def _choice(answers: list[_Answer], errors: list[ParseError]) -> dict[str, Any] | None:
    options, positive, single = [], Decimal(0), False
    for k, answer in enumerate(answers):
        weight, rest = _weight(answer, errors)
        label, feedback = _feedback(rest)
        label_text = _clean(label)
        if not label_text:
            message = _("expected an option after '%(mark)s'", mark=answer.mark.c)
            errors.append(error(answer.mark, message))
        if weight is None:
            weight = _HUNDRED if is_mark(answer.mark, EQUALS) else Decimal(0)
        single = single or (is_mark(answer.mark, EQUALS) and weight == _HUNDRED)
        positive += max(weight, Decimal(0))
        option = {"id": option_id(k), "text": label_text, "fraction": _fraction(weight)}
        options.append(_with_feedback(option, feedback))
    if len(options) < 2:
        errors.append(error(answers[0].mark, _("expected at least 2 options ('=right ~wrong')")))
    elif not single and positive == 0:
        errors.append(
            error(
                answers[0].mark,
                _(
                    "expected a right option: mark it with '=', or give the"
                    " right options weights that add up to 100% (e.g. ~%50%)"
                ),
            )
        )
    elif not single and abs(positive - _HUNDRED) > Decimal("0.1"):
        errors.append(
            error(
                answers[0].mark,
                _(
                    "expected the positive weights to add up to 100%%, they add up to %(total)s%%",
                    total=f"{positive.normalize():f}",
                ),
            )
        )
    kind = "single_choice" if single else "multiple_choice"
    return {"type": kind, "options": options, "shuffle": True}


def _short_answer(answers: list[_Answer], errors: list[ParseError]) -> dict[str, Any] | None:
    accepted = []
    for answer in answers:
        weight, rest = _weight(answer, errors)
        if weight is not None and weight < 0:
            message = _(
                "expected a weight from %(low)s to %(high)s for an answer", low="0%", high="100%"
            )
            errors.append(error(answer.mark, message))
        label, feedback = _feedback(rest)
        label_text = _clean(label)
        if not label_text:
            message = _("expected an answer after '%(mark)s'", mark=answer.mark.c)
            errors.append(error(answer.mark, message))
        fraction = 1.0 if weight is None else _fraction(weight)
        accepted.append(_with_feedback({"text": label_text, "fraction": fraction}, feedback))
    if all(item["fraction"] != 1.0 for item in accepted):
        message = _("expected one answer worth 100% (e.g. =answer)")
        errors.append(error(answers[0].mark, message))
    return {"type": "short_answer", "answers": accepted, "case_sensitive": False}


def _matching(answers: list[_Answer], errors: list[ParseError]) -> dict[str, Any] | None:
    pairs: list[dict[str, str]] = []
    distractors: list[str] = []
    for answer in answers:
        body = strip(answer.body)
        arrow = find_arrow(body)
        if arrow < 0:
            errors.append(
                error(
                    answer.mark,
                    _(
                        "expected '=prompt -> answer': in a matching question"
                        " every answer needs '->'"
                    ),
                )
            )
            continue
        if body and is_mark(body[0], PERCENT):
            errors.append(error(body[0], _("found a weight: matching pairs have no weights")))
        if (at := find(body, HASH)) >= 0:
            errors.append(
                error(
                    body[at],
                    _("found '#': matching pairs have no feedback (write \\# for '#')"),
                )
            )
        prompt, matched = _clean(body[:arrow]), text_of(strip(body[arrow + 2 :]))
        if not matched:
            errors.append(error(body[arrow], _("expected an answer after '->'")))
        elif prompt:
            pairs.append({"id": str(len(pairs) + 1), "prompt": prompt, "answer": matched})
        else:
            distractors.append(matched)  # "= -> extra" is an extra answer, as in Moodle
    if len(pairs) < 2:
        errors.append(
            error(
                answers[0].mark,
                _(
                    "expected at least 2 pairs '=prompt -> answer', found %(count)s",
                    count=len(pairs),
                ),
            )
        )
    spec: dict[str, Any] = {"type": "matching", "pairs": pairs}
    if distractors:
        spec["distractors"] = distractors
    return spec


def _true_false(body: Span) -> dict[str, Any]:
    """``{T#feedback for a wrong answer#feedback for a right answer}``, as Moodle reads it."""
    first = find(body, HASH)
    second = find(body, HASH, first + 1) if first >= 0 else -1
    answer = TRUE_FALSE[fold(text_of(body[: first if first >= 0 else len(body)])).upper()]
    wrong = _clean(body[first + 1 : second if second >= 0 else len(body)]) if first >= 0 else ""
    right = _clean(body[second + 1 :]) if second >= 0 else ""
    spec: dict[str, Any] = {"type": "true_false", "answer": answer}
    feedback_true, feedback_false = (right, wrong) if answer else (wrong, right)
    if feedback_true:
        spec["feedback_true"] = feedback_true
    if feedback_false:
        spec["feedback_false"] = feedback_false
    return spec


def _numerical(hash_mark: Ch, span: Span, errors: list[ParseError]) -> dict[str, Any] | None:
    lead, answers = _split(span)
    if strip(lead):
        answers.insert(0, _Answer(hash_mark, lead))
    accepted = []
    for answer in answers:
        if is_mark(answer.mark, TILDE):
            errors.append(
                error(
                    answer.mark,
                    _(
                        "found '~': feedback for any other number is not supported;"
                        " use the general feedback (####) instead"
                    ),
                )
            )
            continue
        weight, rest = _weight(answer, errors)
        if weight is not None and weight < 0:
            message = _(
                "expected a weight from %(low)s to %(high)s for an answer", low="0%", high="100%"
            )
            errors.append(error(answer.mark, message))
        value, feedback = _feedback(rest)
        item = _number_answer(answer.mark, value, errors)
        if item is not None:
            item["fraction"] = 1.0 if weight is None else _fraction(weight)
            accepted.append(_with_feedback(item, feedback))
    if not answers:
        message = _("expected a number after '#' (e.g. {#3:0.5} or {#1..5})")
        errors.append(error(hash_mark, message))
    elif accepted and all(item["fraction"] != 1.0 for item in accepted):
        errors.append(error(hash_mark, _("expected one answer worth 100% (e.g. =3:0.5)")))
    return {"type": "numerical", "answers": accepted}


def _number_answer(mark: Ch, span: Span, errors: list[ParseError]) -> dict[str, Any] | None:
    """``3``, ``3:0.5`` (value:tolerance) or ``1..5`` (range); full-width digits are fine."""
    raw = fold(text_of(span))
    where = strip(span)[0] if strip(span) else mark
    if ".." in raw:
        low, high = (part.strip() for part in raw.split("..", 1))
        numbers = _numbers(where, errors, low, high)
        if numbers is None:
            return None
        if numbers[0] > numbers[1]:
            message = _("expected 'min..max' with min <= max, found %(found)s", found=repr(raw))
            errors.append(error(where, message))
            return None
        return {"min": numbers[0], "max": numbers[1]}
    value, _colon, tolerance = (part.strip() for part in raw.partition(":"))
    numbers = _numbers(where, errors, value, tolerance or "0")
    if numbers is None:
        return None
    if numbers[1] < 0:
        message = _("expected a tolerance of 0 or more, found %(found)s", found=tolerance)
        errors.append(error(where, message))
        return None
    return {"value": numbers[0], "tolerance": numbers[1]}


def _numbers(where: Ch, errors: list[ParseError], *texts: str) -> list[float] | None:
    bad = [text for text in texts if not _NUMBER.fullmatch(text)]
    if bad:
        errors.append(error(where, _("expected a number, found %(found)s", found=repr(bad[0]))))
        return None
    return [float(text) for text in texts]

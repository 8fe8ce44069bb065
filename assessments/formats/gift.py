"""Moodle's GIFT format: ``parse(text) -> ParseResult`` and ``dump(items) -> str``.

Read as Moodle reads it (see its qformat_gift): questions separated by blank lines, ``//``
comment lines (Moodle's ``[tag:name]`` in them become ``tags``), ``$CATEGORY: a/b`` lines,
``::title::``, a ``[html]``/``[markdown]``/``[plain]``/``[moodle]`` text format, and one
answer block per question:

- ``{}`` essay; no block: description;
- ``{T}`` ``{TRUE}`` ``{F}`` ``{FALSE}`` true/false, ``{T#for a wrong answer#for a right one}``;
- ``{=right ~wrong ~%50%half}`` single choice (an ``=`` marks the right option),
  ``{~%50%a ~%50%b ~%-100%c}`` multiple choice (no ``=``: positive weights add up to 100%);
- ``{=answer =%50%almost}`` short answer (case-insensitive, ``*`` a wildcard);
- ``{=prompt -> answer = -> extra}`` matching (at least 2 pairs; an empty prompt is an
  extra answer);
- ``{#3:0.5}`` ``{#1..5}`` ``{#=3:0 =%50%3:1}`` numerical;
- ``#feedback`` after any answer, ``####general feedback`` at the end of the block;
- text before and after the block: a missing-word question, the stem gets ``____``;
- escapes ``\\\\ \\: \\# \\= \\~ \\{ \\} \\n`` (and ``\\>`` ``\\%``).

Full-width markup a Chinese author may type is accepted in markup positions only: ``｛ ｝``,
``＝ ～`` (at the start of an answer), ``＃``, ``：：`` around a title, ``％`` around a weight,
``－>``/``-＞``/``－＞`` arrows, full-width digits in numbers and T/F. Differences from Moodle:
text without a format is Markdown (Moodle's "auto-format" is close for plain text); what
Moodle would import silently wrong is an error here (a stray brace, two answer blocks, an
arrow outside a matching question, a bad weight, a choice question without a right answer).
Not supported: ``~#feedback`` for any other number in a numerical question (an error),
Moodle's ``[id:...]`` (ignored).
"""

from assessments.formats.gift_parse import BLANK, parse
from assessments.formats.gift_write import dump, writable, write_question

__all__ = ["BLANK", "dump", "parse", "writable", "write_question"]

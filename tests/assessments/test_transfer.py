"""Importing GIFT and Aiken into the bank (all or nothing), exporting GIFT, and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from assessments import bank, transfer
from assessments.models import Question, QuestionCategory, QuestionTag, QuestionVersion
from lms import clock
from lms.extensions import db

FIXTURES = Path(__file__).parent / "fixtures"


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _definitions_under(category: QuestionCategory) -> list[dict]:
    """The current definitions below a category, each with its path relative to it."""
    categories, paths = transfer.subtree(category)
    depth = len(paths[category.id])
    found = [
        (paths[q.category_id][depth:], q.current_version.definition)
        for q in db.session.scalars(
            sa.select(Question).where(Question.category_id.in_([c.id for c in categories]))
        )
    ]
    return sorted(found, key=lambda pair: json.dumps(pair, sort_keys=True, ensure_ascii=False))


def test_decode_accepts_utf8_with_and_without_bom_and_gb18030():
    text = "$CATEGORY: 客服\n\n退货？{T}\n"
    assert transfer.decode(text.encode("utf-8")) == text
    assert transfer.decode(b"\xef\xbb\xbf" + text.encode("utf-8")) == text
    assert transfer.decode(text.encode("gb18030")) == text
    with pytest.raises(transfer.TransferError):
        transfer.decode("退货".encode("utf-16"))


def test_check_writes_nothing_and_lists_rows(app):
    text = (FIXTURES / "after_sales.gift.txt").read_text(encoding="utf-8")
    result = transfer.check(text, "gift", ["题库"])
    assert result.ok, result.problems
    assert result.rows[0].path == ("题库", "客服", "退换货")
    assert result.rows[0].type == "single_choice"
    assert result.rows[0].title == "退货时限"
    assert ("题库",) in result.new_categories
    assert ("题库", "客服", "退换货") in result.new_categories
    assert _count(QuestionCategory) == 0


def test_import_creates_categories_questions_and_tags(app):
    text = (FIXTURES / "after_sales.gift.txt").read_text(encoding="utf-8")
    result = transfer.import_questions(text, "gift", base=None, actor=None, now=clock.now())
    assert result.ok and result.created == len(result.rows) > 10
    returns = bank.category_by_path(["客服", "退换货"])
    assert returns is not None and returns.parent.name == "客服"
    first = db.session.scalar(
        sa.select(Question).where(Question.category_id == returns.id).order_by(Question.id)
    )
    assert first.current_version.definition["title"] == "退货时限"
    assert [t.tag for t in first.tags] == ["政策", "退货"]
    assert _count(Question) == result.created


def test_malformed_file_reports_every_problem_with_lines_and_writes_nothing(app):
    text = (
        "$CATEGORY: 客服\n\n"
        "::好题::退货？{T}\n\n"
        "::坏题::缺少右括号{=对 ~错\n\n"
        "::无正确答案::哪个对？{~%50%甲 ~%20%乙}\n"
    )
    result = transfer.import_questions(text, "gift", base=["题库"], actor=None, now=clock.now())
    assert not result.ok
    lines = {p.line for p in result.problems}
    assert 5 in lines  # the parser's error
    assert 7 in lines  # validate: the weights of a multiple choice do not add up
    assert _count(Question) == 0 and _count(QuestionCategory) == 0


def test_aiken_needs_a_category_and_reports_broken_questions(app):
    good = "退货多久内联系顾客？\nA. 2 小时内\nB. 24 小时内\nANSWER: B\n"
    homeless = transfer.check(good, "aiken")
    assert not homeless.ok and homeless.problems[0].line == 1
    assert transfer.check(good, "aiken", ["客服"]).ok
    broken = transfer.check((FIXTURES / "broken.aiken.txt").read_text("utf-8"), "aiken", ["客服"])
    assert not broken.ok and all(p.line for p in broken.problems)


def test_invalid_tags_and_category_names_are_problems(app):
    text = "$CATEGORY: 客服\n\n// [tag:有 空格]\n退货？{T}\n"
    result = transfer.check(text, "gift")
    assert [p.line for p in result.problems] == [4]
    assert "有 空格" in result.problems[0].message


def test_export_then_import_gives_equal_definitions(app):
    text = (FIXTURES / "after_sales.gift.txt").read_text(encoding="utf-8")
    transfer.import_questions(text, "gift", base=["原题"], actor=None, now=clock.now())
    source = bank.category_by_path(["原题"])
    exported = transfer.export_category(source)
    assert exported.skipped == [] and exported.written == len(_definitions_under(source))
    again = transfer.import_questions(
        exported.text, "gift", base=["副本"], actor=None, now=clock.now()
    )
    assert again.ok, again.problems
    copy = bank.category_by_path(["副本", "原题"])
    assert _definitions_under(copy) == _definitions_under(source)
    assert bank.category_by_path(["副本", "原题", "客服", "物流"]) is not None


def test_export_leaves_out_what_gift_cannot_hold_and_archived(app, quizzes_factory):
    category = quizzes_factory.category("导出")
    quizzes_factory.question({"type": "true_false", "stem": "对吗？", "answer": True}, category)
    quizzes_factory.question(
        {
            "type": "ordering",
            "stem": "排序",
            "items": [{"id": "1", "text": "甲"}, {"id": "2", "text": "乙"}],
        },
        category,
    )
    old = quizzes_factory.question({"type": "true_false", "stem": "旧题", "answer": True}, category)
    bank.archive_question(old)
    exported = transfer.export_category(category)
    assert exported.written == 1 and len(exported.skipped) == 1
    assert "对吗" in exported.text and "旧题" not in exported.text
    assert transfer.check(exported.text, "gift").ok


# --- the CLI --------------------------------------------------------------------------------


def test_cli_import_and_export(app, runner, tmp_path):
    source = FIXTURES / "after_sales.gift.txt"
    result = runner.invoke(args=["questions", "import", "--format", "gift", str(source)])
    assert result.exit_code == 0, result.output
    assert "Imported" in result.output
    db.session.expire_all()
    count = _count(Question)
    assert count > 10

    result = runner.invoke(args=["questions", "export", "--format", "gift", "客服/物流"])
    assert result.exit_code == 0, result.output
    assert "$CATEGORY: $course$/top/客服/物流" in result.stdout
    assert "工单系统" in result.stdout

    out = tmp_path / "returns.gift"
    result = runner.invoke(args=["questions", "export", "客服", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "退货时限" in out.read_text(encoding="utf-8")

    result = runner.invoke(args=["questions", "export", "没有/这个"])
    assert result.exit_code != 0

    aiken = tmp_path / "quiz.txt"
    aiken.write_bytes("退货多久内联系？\nA. 2 小时\nB. 24 小时\nANSWER: B\n".encode("gb18030"))
    result = runner.invoke(
        args=["questions", "import", "--format", "aiken", "--category", "售后/新人", str(aiken)]
    )
    assert result.exit_code == 0, result.output
    assert bank.category_by_path(["售后", "新人"]) is not None


def test_cli_import_of_a_broken_file_prints_lines_and_writes_nothing(app, runner):
    broken = FIXTURES / "broken.aiken.txt"
    result = runner.invoke(
        args=["questions", "import", "--format", "aiken", "--category", "客服", str(broken)]
    )
    assert result.exit_code != 0
    assert f"{broken}:1: " in result.output or f"{broken}:3: " in result.output
    assert _count(Question) == 0 and _count(QuestionCategory) == 0
    assert _count(QuestionVersion) == 0 and _count(QuestionTag) == 0

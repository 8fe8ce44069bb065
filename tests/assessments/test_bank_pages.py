"""HR's question bank pages: tree and list, category and question forms with versions,
preview, archive, regrade, import (preview, then commit) and export."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from assessments import attempts, bank
from assessments.models import (
    Attempt,
    GradeChange,
    Question,
    QuestionCategory,
    QuestionTag,
    QuestionVersion,
)
from lms import clock
from lms.extensions import db
from tests.assessments.conftest import essay, single_choice, true_false
from tests.conftest import csrf_from
from tests.test_query_counts import count_statements


@pytest.fixture
def hr(make, sign_in):
    person = make.employee("hr", roles={"hr"})
    sign_in(person)
    return person


def _token(client, path="/bank/categories/new") -> str:
    return csrf_from(client.get(path).get_data(as_text=True))


def _post(client, path, data, token_path=None, **kwargs):
    token = _token(client, token_path or path)
    return client.post(path, data={"csrf_token": token, **data}, **kwargs)


def _question(question_id: int) -> Question:
    db.session.expire_all()
    return db.session.get(Question, question_id)


def _newest_question() -> Question:
    db.session.expire_all()
    return db.session.scalar(sa.select(Question).order_by(Question.id.desc()))


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- the tree and the list ------------------------------------------------------------------


def _totals(html: str) -> dict[int, int]:
    return {
        int(c): int(t) for c, t in re.findall(r'data-category="(\d+)" data-total="(\d+)"', html)
    }


def test_category_tree_counts_include_subcategories(client, hr, quizzes_factory):
    service = quizzes_factory.category("客服")
    returns = quizzes_factory.category("退换货", parent=service)
    logistics = quizzes_factory.category("物流")
    for n in range(2):
        quizzes_factory.question(true_false(n), service)
    for n in range(3):
        quizzes_factory.question(single_choice(n), returns)
    bank.archive_question(quizzes_factory.question(true_false(9), returns))
    quizzes_factory.question(essay(1), logistics)

    html = client.get("/bank").get_data(as_text=True)
    assert _totals(html) == {service.id: 5, returns.id: 3, logistics.id: 1}
    assert html.index("退换货") > html.index("客服")  # nested below its parent

    page = client.get(f"/bank?category={service.id}").get_data(as_text=True)
    assert page.count("data-question=") == 5
    only_own = client.get(f"/bank?category={service.id}&sub=0").get_data(as_text=True)
    assert only_own.count("data-question=") == 2
    with_archived = client.get(f"/bank?category={returns.id}&archived=1").get_data(as_text=True)
    assert with_archived.count("data-question=") == 4 and "archived-badge" in with_archived


def test_list_filters_by_type_tag_and_text_and_sorts(client, hr, quizzes_factory):
    category = quizzes_factory.category("客服")
    tagged = bank.create_question(
        category, true_false(1), actor=None, now=clock.now(), tags=["退货"]
    )
    quizzes_factory.question(single_choice(2), category)
    quizzes_factory.question(essay(3), category)

    def rows(query: str) -> list[str]:
        return re.findall(r'data-question="(\d+)"', client.get("/bank?" + query).get_data(True))

    assert rows("type=essay") == [str(_count(Question))]
    assert rows("tag=退货") == [str(tagged.id)]
    assert len(rows("q=客户首次咨询")) == 1  # the single choice's stem
    assert len(rows("q=100%")) == 0  # LIKE wildcards are taken literally
    assert rows("sort=created&dir=asc")[0] == str(tagged.id)
    assert len(rows("sort=title&dir=desc")) == 3
    assert len(rows("sort=version")) == 3
    html = client.get("/bank?type=true_false").get_data(as_text=True)
    assert "True/false" in html and "v1" in html and "退货" in html


def test_empty_bank_links_to_create_and_import(client, hr):
    html = client.get("/bank").get_data(as_text=True)
    assert 'data-testid="bank-empty"' in html
    assert "/bank/categories/new" in html and "/bank/import" in html
    assert "/bank/questions/new" in html


# --- categories -----------------------------------------------------------------------------


def test_create_and_edit_categories(client, hr, make):
    top = {"parent": "", "track": ""}
    response = _post(
        client,
        "/bank/categories/new",
        {"name": "客服", "name_en": "Service", "parent": "", "track": ""},
    )
    assert response.status_code == 302
    parent = db.session.scalar(sa.select(QuestionCategory).where(QuestionCategory.name == "客服"))
    response = _post(
        client, "/bank/categories/new", {"name": "物流", "parent": str(parent.id), "track": ""}
    )
    assert response.status_code == 302
    child = bank.category_by_path(["客服", "物流"])
    assert child is not None

    html = client.get(f"/bank/categories/{parent.id}").get_data(as_text=True)
    assert "客服 / 物流" not in html  # a category cannot move into its own subcategory
    response = _post(
        client, f"/bank/categories/{parent.id}", {"name": "售后", "parent": "", "track": ""}
    )
    assert response.status_code == 302
    assert bank.category_by_path(["售后", "物流"]) is not None

    duplicate = _post(client, "/bank/categories/new", {"name": "售后"} | top)
    assert duplicate.status_code == 200
    assert "This category exists already." in duplicate.get_data(as_text=True)
    assert client.get("/bank/categories/999").status_code == 404


# --- questions through the forms ------------------------------------------------------------


def _options(rows: list[tuple[str, str, str]]) -> dict:
    data = {}
    for n, (text, weight, feedback) in enumerate(rows):
        data[f"options-{n}-text"] = text
        data[f"options-{n}-fraction"] = weight
        data[f"options-{n}-feedback"] = feedback
    return data


def _create(client, kind: str, category: QuestionCategory, data: dict):
    path = f"/bank/questions/new?type={kind}&category={category.id}"
    return _post(client, path, {"category": str(category.id), **data})


COMMON = {"title": "", "tags": "退货, 政策", "general_feedback": "参考《售后政策》。"}
FORMS = {
    "single_choice": (
        {"stem": "签收后几天内可无理由退货？"}
        | _options([("3 天", "0", "太短"), ("7 天", "100", "正确"), ("15 天", "", "")]),
        lambda d: (
            [o["fraction"] for o in d["options"]] == [0, 1, 0]
            and [o["id"] for o in d["options"]] == ["a", "b", "c"]
            and d["options"][1]["feedback"] == "正确"
        ),
    ),
    "multiple_choice": (
        {"stem": "哪些可以换货？"}
        | _options([("质量问题", "50", ""), ("发错货", "50%", ""), ("不喜欢", "-100", "")]),
        lambda d: [o["fraction"] for o in d["options"]] == [0.5, 0.5, -1],
    ),
    "true_false": (
        {"stem": "定制商品支持七天无理由退货。", "answer": "false", "feedback_false": "对"},
        lambda d: d["answer"] is False and d["feedback_false"] == "对",
    ),
    "short_answer": (
        {"stem": "工单系统叫什么？", "answers": "CRM\n客户关系管理 =50% # 请写缩写\n"},
        lambda d: (
            d["answers"]
            == [
                {"text": "CRM", "fraction": 1.0},
                {"text": "客户关系管理", "fraction": 0.5, "feedback": "请写缩写"},
            ]
            and "case_sensitive" not in d
        ),
    ),
    "numerical": (
        {"stem": "应补偿多少元？", "answers": "10 ± 0.5\n8..12 =50%\n", "unit": "元"},
        lambda d: (
            d["answers"]
            == [
                {"value": 10.0, "tolerance": 0.5, "fraction": 1.0},
                {"min": 8.0, "max": 12.0, "fraction": 0.5},
            ]
            and d["unit"] == "元"
        ),
    ),
    "essay": (
        {
            "stem": "请写出安抚话术。",
            "min_words": "50",
            "rubric": "共情: 0 没有 | 2 部分 | 4 充分\n政策准确：0 错误 | 6 正确\n",
        },
        lambda d: (
            d["min_words"] == 50
            and [c["name"] for c in d["rubric"]["criteria"]] == ["共情", "政策准确"]
            and d["rubric"]["criteria"][0]["levels"][2] == {"points": 4.0, "descriptor": "充分"}
        ),
    ),
}


@pytest.mark.parametrize("kind", list(FORMS))
def test_create_each_common_type_then_edit_makes_version_two(client, hr, quizzes_factory, kind):
    category = quizzes_factory.category("客服")
    data, check = FORMS[kind]
    response = _create(client, kind, category, data | COMMON)
    assert response.status_code == 302, response.get_data(as_text=True)
    question = _newest_question()
    definition = question.current_version.definition
    assert definition["type"] == kind and check(definition), definition
    assert "tags" not in definition  # tags belong to the question, not to a version
    assert sorted(t.tag for t in question.tags) == ["政策", "退货"]
    assert definition["general_feedback"] == "参考《售后政策》。"

    # the edit form shows what was saved, and saving a change makes version 2
    path = f"/bank/questions/{question.id}"
    html = client.get(path).get_data(as_text=True)
    assert data["stem"] in html
    response = _post(client, path, {"category": str(category.id)} | data | COMMON | {"title": "新"})
    assert response.status_code == 302
    question = _question(question.id)
    assert question.current_version.number == 2
    assert question.current_version.definition == definition | {"title": "新"}
    numbers = db.session.scalars(
        sa.select(QuestionVersion.number).where(QuestionVersion.question_id == question.id)
    ).all()
    assert sorted(numbers) == [1, 2]

    # saving it again unchanged makes no version
    _post(client, path, {"category": str(category.id)} | data | COMMON | {"title": "新"})
    assert _question(question.id).current_version.number == 2


def test_edit_keeps_what_the_form_does_not_show_and_option_ids(client, hr, quizzes_factory):
    category = quizzes_factory.category("客服")
    definition = single_choice(1)
    definition["options"][1]["text_en"] = "Within 24 hours"
    definition["shuffle"] = False
    question = quizzes_factory.question(definition, category)
    # the right option moves to the top: it keeps its id
    data = {"stem": definition["stem"], "category": str(category.id)} | _options(
        [("24 小时内", "100", ""), ("30 分钟内", "0", "")]
    )
    data |= {"options-0-option_id": "b", "options-1-option_id": "a"}
    response = _post(client, f"/bank/questions/{question.id}", data)
    assert response.status_code == 302
    saved = _question(question.id).current_version.definition
    assert saved["shuffle"] is False
    assert saved["options"][0] == {
        "id": "b",
        "text": "24 小时内",
        "fraction": 1.0,
        "text_en": "Within 24 hours",
    }


def test_an_attempt_started_before_the_edit_keeps_version_one(client, hr, make, quizzes_factory):
    learner = make.employee()
    quiz = quizzes_factory.quiz(definitions=[true_false(1)])
    attempt = attempts.start(quiz, learner, now=clock.now())
    question = quiz.slots[0].question
    db.session.commit()
    data = {"category": str(question.category_id), "stem": "改过的题干", "answer": "false"}
    assert _post(client, f"/bank/questions/{question.id}", data).status_code == 302
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt.id)
    assert attempt.answers[0].question_version.number == 1
    assert _question(question.id).current_version.number == 2
    old = client.get(f"/bank/questions/{question.id}/preview?version=1").get_data(as_text=True)
    assert 'data-testid="old-version"' in old and "判断题 1" in old
    assert client.get(f"/bank/questions/{question.id}/preview?version=9").status_code == 404


def _form_data(form) -> dict:
    """What a browser sends back for a form as loaded."""
    data = {}
    for field in form:
        if field.type == "FieldList":
            data |= {sub.name: sub._value() for entry in field for sub in entry}
        elif field.type == "BooleanField":
            if field.data:
                data[field.name] = "y"
        elif field.type in ("SelectField", "RadioField"):
            data[field.name] = str(field.data or "")
        elif field.type != "CSRFTokenField":
            data[field.name] = field._value()
    return data


def test_saving_a_loaded_form_unchanged_makes_no_version(app, client, hr, quizzes_factory):
    """Every kind of question survives the trip definition → form → definition."""
    from assessments import transfer
    from assessments.forms.bank import FORMS

    text = (Path(__file__).parent / "fixtures" / "after_sales.gift.txt").read_text("utf-8")
    transfer.import_questions(text, "gift", base=["题库"], actor=None, now=clock.now())
    category = quizzes_factory.category("其他")
    for definition in (essay(1), single_choice(2)):
        bank.create_question(category, definition, actor=None, now=clock.now(), tags=["a"])
    scenario = {
        "type": "scenario",
        "case": "顾客来电",
        "parts": [{"id": "p", "weight": 1, "question": essay(3)}],
    }
    items = [{"id": "x", "text": "一"}, {"id": "y", "text": "二"}]
    quizzes_factory.question(scenario, category)
    quizzes_factory.question({"type": "ordering", "stem": "排序", "items": items}, category)
    db.session.commit()
    questions = db.session.scalars(sa.select(Question)).all()
    assert {q.current_version.type for q in questions} == set(FORMS)
    for question in questions:
        version = question.current_version
        with app.test_request_context():
            form = FORMS[version.type](meta={"csrf": False})
            form.load(version.definition)
            data = _form_data(form)
        data["category"] = str(question.category_id)
        data["tags"] = ", ".join(t.tag for t in question.tags)
        response = _post(client, f"/bank/questions/{question.id}", data)
        assert response.status_code == 302, (version.definition, response.get_data(True)[:3000])
        assert _question(question.id).current_version.number == 1, version.definition


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        ("single_choice", _options([("甲", "0", ""), ("乙", "50", "")]), "weight 100%"),
        ("single_choice", _options([("甲", "100", ""), ("乙", "abc", "")]), "percentage"),
        ("single_choice", _options([("甲", "100", ""), ("", "0", "反馈")]), "clear the row"),
        ("multiple_choice", _options([("甲", "50", ""), ("乙", "20", "")]), "add up to 100%"),
        ("short_answer", {"answers": "CRM\n客户 =150%"}, "Line 2"),
        ("short_answer", {"answers": ""}, "“answers” must not be empty"),
        ("numerical", {"answers": "10\nabout ten"}, "Line 2"),
        ("essay", {"min_words": "80", "max_words": "20"}, "must not be greater"),
        ("true_false", {"stem": ""}, "“stem” is required"),
    ],
)
def test_invalid_forms_rerender_with_messages(client, hr, quizzes_factory, kind, data, message):
    category = quizzes_factory.category("客服")
    response = _create(client, kind, category, {"stem": "题干", "answer": "true"} | data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _count(Question) == 0


def test_rubric_errors_name_the_line(client, hr, quizzes_factory):
    category = quizzes_factory.category("客服")
    rubric = "共情: 0 没有 | 2 部分\n没有冒号的行\n政策: 0 错误\n语气: 0 生硬 | 很好\n"
    response = _create(client, "essay", category, {"stem": "题干", "rubric": rubric})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Line 2: write" in html
    assert "Line 3: a criterion needs at least 2 levels." in html
    assert "Line 4, level 2" in html
    assert _count(Question) == 0


def test_rubric_keeps_criterion_ids_on_edit(client, hr, quizzes_factory):
    category = quizzes_factory.category("客服")
    question = quizzes_factory.question(essay(1), category)
    html = client.get(f"/bank/questions/{question.id}").get_data(as_text=True)
    assert "共情: 0 没有 | 2 部分 | 4 充分" in html
    rubric = "政策准确: 0 错误 | 6 正确\n共情: 0 没有 | 4 充分\n礼貌: 0 无 | 1 有"
    data = {"category": str(category.id), "stem": "题干", "rubric": rubric}
    assert _post(client, f"/bank/questions/{question.id}", data).status_code == 302
    criteria = _question(question.id).current_version.definition["rubric"]["criteria"]
    assert [c["id"] for c in criteria] == ["policy", "empathy", "c3"]


SCENARIO_YAML = """\
case: |
  顾客：快递三天了还没到！
parts:
  - weight: 1
    question:
      type: true_false
      stem: 客服应先致歉。
      answer: true
  - id: reply
    weight: 2
    question:
      type: essay
      stem: 写出你的回复。
"""


def test_yaml_editor_for_a_scenario(client, hr, quizzes_factory):
    category = quizzes_factory.category("客服")
    response = _create(client, "scenario", category, {"stem": "", "body": SCENARIO_YAML})
    assert response.status_code == 302, response.get_data(as_text=True)
    question = _newest_question()
    definition = question.current_version.definition
    assert [p["id"] for p in definition["parts"]] == ["p1", "reply"]
    assert definition["case"].startswith("顾客")

    path = f"/bank/questions/{question.id}"
    html = client.get(path).get_data(as_text=True)
    assert "parts:" in html and "reply" in html

    broken = _post(client, path, {"category": str(category.id), "body": "case: [unclosed\n"})
    assert broken.status_code == 200 and "Line 2" in broken.get_data(as_text=True)
    invalid = SCENARIO_YAML.replace("weight: 2", "weight: 0").replace("type: essay", "type: x")
    response = _post(client, path, {"category": str(category.id), "body": invalid})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "parts[2].weight" in html and "unknown type" in html
    stray = _post(client, path, {"category": str(category.id), "body": "stem: 题\n"})
    assert "has its own field above" in stray.get_data(as_text=True)
    assert _question(question.id).current_version.number == 1

    preview = client.get(f"/bank/questions/{question.id}/preview").get_data(as_text=True)
    assert "scenario-case" in preview and "客服应先致歉" in preview


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("case: 2024-01-01\nparts: []\n", "quote dates"),
        ("case: &a x\nextra: *a\n", "aliases"),
        ("case: x\nweight: .inf\n", "quote dates"),
        ("- just\n- a list\n", "must be a mapping"),
    ],
)
def test_yaml_that_cannot_be_stored_is_refused(client, hr, quizzes_factory, body, message):
    category = quizzes_factory.category("客服")
    response = _create(client, "scenario", category, {"stem": "", "body": body})
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert _count(Question) == 0


def test_yaml_editor_for_ordering_and_matching(client, hr, quizzes_factory):
    category = quizzes_factory.category("客服")
    body = "items:\n  - 倾听\n  - 致歉\n  - 解决\n"
    response = _create(client, "ordering", category, {"stem": "排序", "body": body})
    assert response.status_code == 302
    items = _newest_question().current_version.definition["items"]
    assert items == [
        {"id": "1", "text": "倾听"},
        {"id": "2", "text": "致歉"},
        {"id": "3", "text": "解决"},
    ]
    body = "pairs:\n  - prompt: 破损\n    answer: 质检部\n  - prompt: 丢件\n    answer: 物流部\n"
    response = _create(client, "matching", category, {"stem": "对应", "body": body})
    assert response.status_code == 302
    assert _newest_question().current_version.type == "matching"


def test_new_question_without_type_offers_the_types(client, hr, quizzes_factory):
    quizzes_factory.category("客服")
    html = client.get("/bank/questions/new").get_data(as_text=True)
    for label in ("Single choice", "Short answer", "Scenario", "Description"):
        assert label in html


def test_preview_shows_the_learner_view_and_the_key(client, hr, quizzes_factory):
    question = quizzes_factory.question(single_choice(1))
    html = client.get(f"/bank/questions/{question.id}/preview").get_data(as_text=True)
    view = html.split('data-testid="learner-view"')[1].split("</section>")[0]
    assert "30 分钟内" in view and "正确" not in view and "100%" not in view
    assert "A. 30 分钟内" in html.split('data-testid="right-answer"')[1]
    assert client.get("/bank/questions/999/preview").status_code == 404


def test_archive_and_unarchive(client, hr, quizzes_factory):
    question = quizzes_factory.question(true_false(1))
    path = f"/bank/questions/{question.id}/archive"
    token_path = f"/bank/questions/{question.id}"
    assert _post(client, path, {}, token_path).status_code == 302
    assert _question(question.id).archived is True
    assert _post(client, path, {}, token_path).status_code == 302
    assert _question(question.id).archived is False
    assert client.post(path, data={}).status_code == 400  # no CSRF token


def test_regrade_after_fixing_a_wrong_key(client, hr, make, quizzes_factory):
    wrong = single_choice(1)  # the key says "a", but "b" is right
    learner = make.employee()
    quiz = quizzes_factory.quiz(definitions=[wrong, true_false(2)])
    question = quiz.slots[0].question
    attempt = attempts.start(quiz, learner, now=clock.now())
    slot = next(a.slot for a in attempt.answers if a.question_version.question_id == question.id)
    attempts.save_answer(attempt.id, learner, slot, "b", sequence=1, now=clock.now())
    attempts.submit(attempt.id, learner, now=clock.now())
    db.session.commit()
    before = db.session.get(Attempt, attempt.id).percent

    fixed = {"category": str(question.category_id), "stem": wrong["stem"]} | _options(
        [("30 分钟内", "0", ""), ("24 小时内", "100", ""), ("三个工作日内", "0", "")]
    )
    fixed |= {"options-0-option_id": "a", "options-1-option_id": "b", "options-2-option_id": "c"}
    assert _post(client, f"/bank/questions/{question.id}", fixed).status_code == 302
    response = _post(
        client,
        f"/bank/questions/{question.id}/regrade",
        {},
        f"/bank/questions/{question.id}",
        follow_redirects=True,
    )
    assert "1 answer changed" in response.get_data(as_text=True)
    db.session.expire_all()
    changes = db.session.scalars(sa.select(GradeChange)).all()
    assert [(c.old_fraction, c.new_fraction, c.reason) for c in changes] == [(0.0, 1.0, "regrade")]
    assert changes[0].changed_by_id == hr.id
    assert db.session.get(Attempt, attempt.id).percent > before


# --- import and export ----------------------------------------------------------------------

GIFT = """\
$CATEGORY: 退换货

::退货时限::签收后几天内可以无理由退货？{~3 天 =7 天}

::运费险::运费险赔付退货运费。{T}
"""


def test_import_preview_then_commit(client, hr, quizzes_factory):
    target = quizzes_factory.category("客服")
    data = {"format": "gift", "category": str(target.id), "text": GIFT, "action": "preview"}
    response = _post(client, "/bank/import", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-testid="import-preview"' in html
    assert "客服 / 退换货" in html and "退货时限" in html and "Import 2 questions" in html
    assert _count(Question) == 0 and bank.category_by_path(["客服", "退换货"]) is None

    commit = html.split('data-testid="import-commit"')[1]
    carried = re.search(r'name="text" value="([^"]*)"', commit).group(1)
    assert "::运费险::" in carried.replace("&#34;", '"')
    data["action"] = "import"
    response = _post(client, "/bank/import", data)
    assert response.status_code == 302
    created = bank.category_by_path(["客服", "退换货"])
    assert created is not None
    assert _count(Question) == 2


def test_import_of_an_uploaded_gb18030_aiken_file(client, hr, quizzes_factory):
    target = quizzes_factory.category("新人")
    text = "退货多久内联系顾客？\nA. 2 小时内\nB. 24 小时内\nANSWER: B\n"
    upload = (io.BytesIO(text.encode("gb18030")), "quiz.txt")
    data = {"format": "aiken", "category": str(target.id), "file": upload, "action": "preview"}
    response = _post(client, "/bank/import", data, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert "Import 1 question" in html and "退货多久内联系顾客" in html


def test_a_malformed_file_shows_lines_and_writes_nothing(client, hr):
    text = "$CATEGORY: 客服\n\n::好::退货？{T}\n\n::坏::缺少右括号{=对 ~错\n"
    for action in ("preview", "import"):
        data = {"format": "gift", "category": "", "text": text, "action": action}
        response = _post(client, "/bank/import", data)
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert 'data-testid="import-problems"' in html and 'data-line="5"' in html
    assert _count(Question) == 0 and _count(QuestionCategory) == 0
    response = _post(client, "/bank/import", {"format": "gift", "text": "", "category": ""})
    assert "Upload a file or paste the questions." in response.get_data(as_text=True)


def test_export_downloads_gift(client, hr, quizzes_factory):
    parent = quizzes_factory.category("客服")
    child = quizzes_factory.category("物流", parent=parent)
    quizzes_factory.question(true_false(1), child)
    response = client.get(f"/bank/categories/{parent.id}/export.gift")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert "$CATEGORY: $course$/top/客服/物流" in text and "判断题 1" in text
    assert client.get("/bank/categories/999/export.gift").status_code == 404


# --- access and statements ------------------------------------------------------------------


def test_an_employee_gets_403_everywhere(client, make, sign_in, quizzes_factory):
    question = quizzes_factory.question(true_false(1))
    category_id = question.category_id
    sign_in(make.employee("worker"))
    gets = [
        "/bank",
        "/bank/categories/new",
        f"/bank/categories/{category_id}",
        f"/bank/categories/{category_id}/export.gift",
        "/bank/questions/new?type=true_false",
        f"/bank/questions/{question.id}",
        f"/bank/questions/{question.id}/preview",
        "/bank/import",
    ]
    for path in gets:
        assert client.get(path).status_code == 403, path
    posts = gets[1:3] + [
        "/bank/questions/new?type=true_false",
        f"/bank/questions/{question.id}",
        f"/bank/questions/{question.id}/archive",
        f"/bank/questions/{question.id}/regrade",
        "/bank/import",
    ]
    token = csrf_from(client.get("/").get_data(as_text=True))
    for path in posts:
        assert client.post(path, data={"csrf_token": token}).status_code == 403, path
    assert _question(question.id).archived is False


def test_missing_questions_are_404(client, hr):
    token = _token(client)
    for path in ("/bank/questions/999", "/bank/questions/999/preview"):
        assert client.get(path).status_code == 404
    for path in ("/bank/questions/999/archive", "/bank/questions/999/regrade"):
        assert client.post(path, data={"csrf_token": token}).status_code == 404


def test_bank_statements_do_not_grow_with_questions(client, hr, quizzes_factory):
    parent = quizzes_factory.category("客服")
    child = quizzes_factory.category("物流", parent=parent)

    def add(n: int) -> None:
        for i in range(n):
            definition = [true_false, single_choice, essay][i % 3](i)
            bank.create_question(
                child if i % 2 else parent,
                definition,
                actor=None,
                now=clock.now(),
                tags=[f"t{i % 4}", "客服"],
            )

    def measure(url: str) -> int:
        with count_statements() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    urls = ["/bank", f"/bank?category={parent.id}&sort=title", "/bank?tag=客服&q=题&type=essay"]
    add(5)
    small = [measure(url) for url in urls]
    add(55)
    assert _count(QuestionTag) == 120
    assert [measure(url) for url in urls] == small
    assert max(small) <= 12


def test_import_problems_are_shown_in_the_language_of_the_user(client, make, sign_in):
    sign_in(make.employee("hr-zh", roles={"hr"}, locale="zh_CN"))
    data = {"format": "gift", "category": "", "text": "::坏::缺少右括号{=对 ~错\n"}
    response = _post(client, "/bank/import", {**data, "action": "preview"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-testid="import-problems"' in html
    assert "此处打开的答案块缺少结尾的" in html
    assert "expected &#39;}&#39; to close" not in html and "expected '}' to close" not in html

"""GIFT and Aiken (assessments.formats): the fixture files in ``fixtures/`` read question by
question, every malformed case with its line, column and message, and round trips through
``gift.dump`` (fixtures and generated definitions)."""

from __future__ import annotations

import contextlib
import importlib
import pkgutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.formats import ParseError, aiken, gift, option_id

FIXTURES = Path(__file__).parent / "fixtures"


def read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def one(text: str) -> dict[str, Any]:
    """The definition of the only question in ``text`` (which must have no errors)."""
    result = gift.parse(text)
    assert result.errors == []
    assert len(result.questions) == 1
    return result.questions[0].definition


def errors(text: str) -> list[tuple[int, int | None, str]]:
    return [(e.line, e.column, e.message) for e in gift.parse(text).errors]


def items(result) -> list[tuple[list[str], dict[str, Any]]]:
    return [(q.category, q.definition) for q in result.questions]


def assert_valid(definition: dict[str, Any]) -> None:
    """Check against the question types that exist so far (they are written elsewhere)."""
    types = importlib.import_module("assessments.types")
    for module in pkgutil.iter_modules(types.__path__):
        with contextlib.suppress(Exception):  # a type module still being written
            importlib.import_module(f"assessments.types.{module.name}")
    if definition["type"] in types.REGISTRY:
        types.validate(definition)


def options(*specs: tuple[str, float] | tuple[str, float, str]) -> list[dict[str, Any]]:
    out = []
    for k, (text, fraction, *feedback) in enumerate(specs):
        option = {"id": option_id(k), "text": text, "fraction": fraction}
        if feedback:
            option["feedback"] = feedback[0]
        out.append(option)
    return out


# --- the Chinese after-sales bank -----------------------------------------------------------

RETURNS, LOGISTICS, COMPLAINTS = ["客服", "退换货"], ["客服", "物流"], ["客服", "投诉处理"]

AFTER_SALES = [
    (7, RETURNS, {
        "type": "single_choice", "title": "退货时限",
        "stem": "顾客签收商品后，几天内可以申请无理由退货？",
        "options": options(
            ("3 天内", 0.0, "太短了，请查看《售后政策》第 2 条。"),
            ("7 天内", 1.0, "正确！自签收次日起计算。"),
            ("15 天内", 0.0, "这是质量问题换货的时限。"),
            ("30 天内", 0.0),
        ),
        "shuffle": True,
        "general_feedback": "依据《消费者权益保护法》第二十五条。",
        "tags": ["退货", "政策"],
    }),
    (15, RETURNS, {
        "type": "multiple_choice", "title": "换货条件",
        "stem": "以下哪些情况可以直接为顾客换货？（多选）",
        "options": options(
            ("商品存在质量问题", 0.5, "对。"),
            ("仓库发错了货", 0.5, "对，来回运费由我方承担。"),
            ("顾客不喜欢颜色", -1.0, "不喜欢颜色属于无理由退货，不是换货。"),
            ("商品已使用且影响二次销售", -1.0),
        ),
        "shuffle": True,
    }),
    (23, RETURNS, {
        "type": "single_choice", "title": "退款到账",
        "stem": "退款原路退回微信零钱，一般需要多久？",
        "options": options(
            ("1～3 个工作日", 1.0, "正确"),
            ("7～15 个工作日", 0.0, "这是银行卡退款的时间"),
            ("当天到账", 0.5, "部分情况可以，但不要向顾客承诺"),
        ),
        "shuffle": True,
    }),
    (29, RETURNS, {
        "type": "true_false", "title": "运费险",
        "stem": "顾客购买了运费险，退货时运费由保险公司赔付。",
        "answer": True,
        "feedback_true": "正确，赔付一般在退货签收后 72 小时内到账。",
        "feedback_false": "运费险赔付的正是退货运费，请再确认。",
    }),
    (31, RETURNS, {
        "type": "true_false", "title": "定制商品",
        "stem": "所有商品都支持七天无理由退货。",
        "answer": False,
        "feedback_true": "定制类商品、鲜活易腐商品等不适用。",
        "feedback_false": "正确！定制商品不支持无理由退货。",
    }),
    (33, RETURNS, {
        "type": "short_answer", "title": "退货地址",
        "stem": "退货商品应寄回____，不要寄到门店。",
        "answers": [{"text": "华东仓", "fraction": 1.0}, {"text": "上海仓", "fraction": 1.0}],
        "case_sensitive": False,
    }),
    (37, LOGISTICS, {
        "type": "short_answer", "title": "工单系统",
        "stem": "客服处理物流异常的工单系统叫什么？\n（请填写英文缩写）",
        "answers": [
            {"text": "CRM", "fraction": 1.0},
            {"text": "客户关系管理系统", "fraction": 0.5, "feedback": "意思对，但请填写英文缩写。"},
        ],
        "case_sensitive": False,
    }),
    (44, LOGISTICS, {
        "type": "matching", "title": "问题分类",
        "stem": "请把顾客的问题与负责的部门对应起来。",
        "pairs": [
            {"id": "1", "prompt": "商品破损", "answer": "质检部"},
            {"id": "2", "prompt": "快递丢件", "answer": "物流部"},
            {"id": "3", "prompt": "发票开错", "answer": "财务部"},
        ],
        "distractors": ["市场部"],
    }),
    (51, LOGISTICS, {
        "type": "numerical", "title": "补偿金额",
        "stem": "订单金额 200 元，延误补偿为订单金额的 5%，应补偿多少元？",
        "answers": [{"value": 10.0, "tolerance": 0.5, "fraction": 1.0}],
    }),
    (53, LOGISTICS, {
        "type": "numerical", "title": "理赔时效",
        "stem": "快递丢件后，快递公司的理赔时效一般是几个工作日？",
        "answers": [
            {"min": 3.0, "max": 5.0, "fraction": 1.0},
            {"value": 7.0, "tolerance": 1.0, "fraction": 0.5, "feedback": "稍长，但也可以接受"},
        ],
    }),
    (57, COMPLAINTS, {
        "type": "essay", "title": "安抚话术",
        "stem": "顾客因物流延误在电话里情绪激动，请写出你的安抚话术（不少于 100 字）。",
        "response_format": "text",
        "general_feedback": "参考要点：先道歉、共情，再说明原因，最后给出补偿方案。",
    }),
    (61, COMPLAINTS, {
        "type": "description", "title": "阅读材料",
        "stem": "以下题目考查 **投诉升级流程**，请先阅读《售后政策 V3.2》第 5 章。",
    }),
    (63, COMPLAINTS, {
        "type": "single_choice", "title": "转接规则", "format": "html",
        "stem": "顾客要求<b>主管</b>接听时，应该怎么做？",
        "options": options(
            ("先记录诉求，再按#转接流程转给值班主管", 1.0),
            ("直接挂断", 0.0),
            ("告诉顾客主管不在", 0.0),
        ),
        "shuffle": True,
    }),
    (69, COMPLAINTS, {
        "type": "single_choice", "title": "特殊字符",
        "stem": "售后邮箱的格式是 service@shop.cn，下面哪个写法正确: 进入 设置->账户 页面，"
                "再填写{邮箱}？",
        "options": options(
            ("service=shop", 1.0),
            ("service~shop", 0.0),
            ("service#shop", 0.0, "# 不是邮箱里的字符。"),
        ),
        "shuffle": True,
    }),
    (75, COMPLAINTS, {
        "type": "single_choice", "title": "满减规则",
        "stem": "订单满 100 减 20 时，\\*实付\\* 金额的计算方法是？",
        "options": options(("订单金额 - 20", 1.0), ("订单金额 x 0.8", 0.0)),
        "shuffle": True,
    }),
    (80, COMPLAINTS, {
        "type": "true_false", "title": "工作时间",
        "stem": "客服热线的服务时间是 9:00–21:00\n节假日照常。",
        "answer": True,
    }),
]  # fmt: skip


def test_after_sales_bank_reads_question_by_question():
    result = gift.parse(read("after_sales.gift.txt"))
    assert result.errors == []
    got = [(q.line, q.category, q.definition) for q in result.questions]
    assert len(got) == len(AFTER_SALES)
    for actual, expected in zip(got, AFTER_SALES, strict=True):
        assert actual == expected


@pytest.mark.parametrize(
    "name", ["after_sales.gift.txt", "helpdesk_examples.gift.txt", "moodle_export.gift.txt"]
)
def test_fixture_definitions_satisfy_the_question_types(name):
    for question in gift.parse(read(name)).questions:
        assert_valid(question.definition)


# --- Moodle's own kinds of examples ------------------------------------------------------


@pytest.fixture(scope="module")
def helpdesk() -> list[dict[str, Any]]:
    result = gift.parse(read("helpdesk_examples.gift.txt"))
    assert result.errors == []
    assert all(q.category == [] for q in result.questions)
    return [q.definition for q in result.questions]


def test_helpdesk_examples_kinds_in_order(helpdesk):
    kinds = [d["type"] for d in helpdesk]
    assert kinds == [
        *["single_choice"] * 4, *["short_answer"] * 2, *["true_false"] * 2,
        *["matching"] * 2, *["numerical"] * 5, "short_answer", "single_choice",
        "single_choice", "short_answer", "short_answer", "true_false", "single_choice",
        "single_choice", "short_answer", "multiple_choice", "multiple_choice",
        "single_choice", "single_choice", "essay", "matching", "single_choice",
        "multiple_choice", "short_answer", "true_false", "true_false", "true_false",
    ]  # fmt: skip


def test_missing_word_puts_a_blank_where_the_block_was(helpdesk):
    assert helpdesk[1]["stem"] == "A refund is ____ to the original payment method."
    assert helpdesk[2]["stem"] == (
        "The courier collects returns on the ____ working day after the request."
    )
    # closing punctuation after the block also makes a blank, as in Moodle
    assert helpdesk[11]["stem"] == "What is the restocking fee in percent? ____."
    # a block at the very end: no blank
    assert helpdesk[3]["stem"] == "Which team owns warranty claims?"


def test_numerical_forms(helpdesk):
    assert helpdesk[10]["answers"] == [{"value": 14.0, "tolerance": 0.0, "fraction": 1.0}]
    assert helpdesk[11]["answers"] == [{"value": 12.5, "tolerance": 0.5, "fraction": 1.0}]
    assert helpdesk[12]["answers"] == [{"min": 1.0, "max": 4.0, "fraction": 1.0}]
    assert helpdesk[13]["answers"] == [
        {"value": 5.0, "tolerance": 0.0, "fraction": 1.0},
        {"value": 5.0, "tolerance": 2.0, "fraction": 0.5},
    ]


def test_weights_partial_credit_and_multiple_answers(helpdesk):
    assert [o["fraction"] for o in helpdesk[21]["options"]] == [0.0, 0.5, 1.0]
    escalation = helpdesk[22]
    assert escalation["title"] == "Escalation path"
    assert escalation["stem"] == "A complaint goes first to ____."
    assert [o["fraction"] for o in escalation["options"]] == [0.0, 0.25, 0.5, 1.0]
    assert [a["fraction"] for a in helpdesk[23]["answers"]] == [1.0, 0.75, 0.25]
    assert helpdesk[23]["stem"] == "A complaint goes first to the"
    assert [o["fraction"] for o in helpdesk[24]["options"]] == [0.0, 0.5, 0.5, 0.0]
    assert [o["fraction"] for o in helpdesk[25]["options"]] == [-0.5, 0.5, 0.5, -0.5]


def test_special_characters(helpdesk):
    assert [o["text"] for o in helpdesk[26]["options"]] == ["= 2 + 2", "= 2 + 3", "= 2 + 4"]
    markup = helpdesk[27]
    assert [o["text"] for o in markup["options"]] == ["~", "=", "#", "{", "}", "\\"]
    assert markup["options"][5]["fraction"] == 1.0
    assert markup["options"][5]["feedback"] == (
        "Correct! \\ (backslash) is not a markup character. BUT,\n"
        "              it is used to escape the markup characters."
    )


def test_formats_on_the_stem_and_answers(helpdesk):
    assert helpdesk[19]["stem"] == "Which status **closes** a ticket?"
    tools = helpdesk[29]
    assert tools["format"] == "html"
    assert tools["stem"] == "Match the <b>tool</b> to what it does."
    assert [p["prompt"] for p in tools["pairs"]][:2] == [
        "Shows every message of a customer.",
        "Answers the same question in one click.",
    ]
    assert tools["distractors"] == ["Wallboard"]
    assert helpdesk[30]["options"][1]["feedback"] == "wrong, blue is for <i>normal</i>"
    assert helpdesk[30]["options"][2]["text"] == "green"


def test_true_false_feedback_is_wrong_then_right_as_in_moodle(helpdesk):
    assert helpdesk[20] == {
        "type": "true_false",
        "stem": "A voucher can be exchanged for cash.",
        "answer": False,
        "feedback_true": "Vouchers are never exchanged for cash.",  # shown to a wrong "true"
    }
    assert helpdesk[33] == {
        "type": "true_false",
        "title": "Q1",
        "stem": "A ticket without a reply for 7 days is closed automatically.",
        "answer": False,
        "feedback_true": "It is set to pending, not closed.",
        "feedback_false": "You gave the right answer.",
        "general_feedback": "See the ticket life-cycle in the handbook.",
    }
    assert one("Q{T#wrong#right}") == {
        "type": "true_false",
        "stem": "Q",
        "answer": True,
        "feedback_true": "right",
        "feedback_false": "wrong",
    }


def test_short_answer_wildcard_and_zero_weight(helpdesk):
    assert helpdesk[32]["answers"][2] == {
        "text": "*",
        "fraction": 0.0,
        "feedback": "Not a tag we use.",
    }
    assert helpdesk[32]["case_sensitive"] is False


def test_moodle_export_file():
    result = gift.parse(read("moodle_export.gift.txt"))
    assert result.errors == []
    got = items(result)
    assert [category for category, _ in got] == [["Default for Support 101"]] + [
        ["Default for Support 101", "Returns / Refunds"]
    ] * 6
    greeting = got[0][1]
    assert greeting["tags"] == ["phone", "soft skills"]
    assert greeting["format"] == "html"
    assert greeting["options"][0] == {
        "id": "a",
        "text": "<p>Yo</p>",
        "fraction": -0.5,
        "feedback": "<p>Too casual.</p>",
    }
    assert greeting["general_feedback"] == "<p>Say your name and your team.</p>"
    assert got[1][1]["answers"][1] == {"value": 5.0, "tolerance": 2.0, "fraction": 0.5}
    assert got[2][1]["answers"][0] == {"text": "Parcelway", "fraction": 1.0}
    assert got[3][1]["pairs"][2] == {"id": "3", "prompt": ": colon", "answer": "label separator"}
    assert [d["type"] for _, d in got[4:]] == ["true_false", "essay", "description"]


# --- small features ---------------------------------------------------------------------


def test_categories():
    text = (
        "Before any category{T}\n\n"
        "$CATEGORY: 客服/退换货\n\nA{T}\n\n"
        "$CATEGORY：客服//售后/物流\nB{T}\n\n"  # full-width colon; no blank line after it
        "$category: $system$/top/top/x\n\nC{T}\n\n"
        "$CATEGORY: $course$/top\n\nD{T}\n"
    )
    result = gift.parse(text)
    assert result.errors == []
    assert [(q.category, q.definition["stem"], q.line) for q in result.questions] == [
        ([], "Before any category", 1),
        (["客服", "退换货"], "A", 5),
        (["客服/售后", "物流"], "B", 8),
        (["top", "x"], "C", 12),
        ([], "D", 16),
    ]


def test_comments_are_ignored_anywhere_and_tags_are_read():
    definition = one(
        "// [tag:退货] [tag:a\\]b] [tag:退货]\n// [id:Q-17] is ignored\n"
        "Q{\n  // a comment inside the block\n  =a\n  ~b\n}"
    )
    assert definition["tags"] == ["退货", "a]b"]
    assert [o["text"] for o in definition["options"]] == ["a", "b"]
    assert gift.parse("// only a comment\n\n// another\n").questions == []


def test_question_line_is_its_first_line_after_comments():
    result = gift.parse("\n\n// comment\n// comment\n::t::\nQ\n{T}\n")
    assert result.questions[0].line == 5


def test_crlf_and_byte_order_mark():
    result = gift.parse("\ufeff::t::Q1{T}\r\n\r\nQ2{\r\n=a\r\n~b\r\n}\r\n")
    assert result.errors == []
    assert [q.definition["stem"] for q in result.questions] == ["Q1", "Q2"]


def test_escapes():
    definition = one("a\\:b \\# \\= \\~ \\{ \\} \\\\ \\n \\* kept{T}")
    assert definition["stem"] == "a:b # = ~ { } \\ \n \\* kept"
    assert one("Q{=a-\\>b ~\\%c}")["options"][0]["text"] == "a->b"
    assert one("Q{=a-\\>b ~\\%c}")["options"][1]["text"] == "%c"


def test_essay_and_description():
    assert one("::E::Write a reply.{}") == {
        "type": "essay",
        "title": "E",
        "stem": "Write a reply.",
        "response_format": "text",
    }
    assert one("Write a reply.{####Be kind.}")["general_feedback"] == "Be kind."
    assert one("::D::Read the policy first.") == {
        "type": "description",
        "title": "D",
        "stem": "Read the policy first.",
    }


def test_text_formats_become_markdown():
    assert one("[plain]Use *stars* and <b> & 1. lists{T}")["stem"] == (
        "Use \\*stars\\* and \\<b\\> \\& 1. lists"
    )
    assert one("[plain]1. first\n- second{T}")["stem"] == "1\\. first\\\n\\- second"
    assert one("[moodle]line one\nline two{T}")["stem"] == "line one\\\nline two"
    assert one("[markdown]**bold**\nsoft{T}")["stem"] == "**bold**\nsoft"
    html = one("[html]<p>x</p>{=a ~b ####[plain]*gf*}")
    assert (html["stem"], html["format"], html["general_feedback"]) == (
        "<p>x</p>",
        "html",
        "\\*gf\\*",
    )
    assert one("[unknown]text{T}")["stem"] == "[unknown]text"


def test_single_or_multiple_choice():
    assert one("Q{=a ~b}")["type"] == "single_choice"
    # an '=' with partial credit on other options: still single choice, as in Moodle
    assert [o["fraction"] for o in one("Q{=a ~%50%b ~%-25%c}")["options"]] == [1.0, 0.5, -0.25]
    # '=%100%' is an '='; '=%50%' is just a weighted option
    assert one("Q{=%100%a ~b}")["type"] == "single_choice"
    weighted = one("Q{=%50%a =%50%b ~c}")
    assert weighted["type"] == "multiple_choice"
    assert [o["fraction"] for o in weighted["options"]] == [0.5, 0.5, 0.0]
    thirds = one("Q{~%33.33333%a ~%33.33333%b ~%33.33333%c ~%-100%d}")
    assert [o["fraction"] for o in thirds["options"]] == [0.3333333, 0.3333333, 0.3333333, -1.0]
    # no '=': multiple answers even with one 100% option, as in Moodle
    assert one("Q{~%100%a ~b}")["type"] == "multiple_choice"
    assert one("Q{~a =b ~c ~d ~e ~f ~g ~h ~i ~j ~k ~l ~m ~n ~o ~p ~q ~r ~s ~t ~u ~v ~w ~x ~y ~z"
               " ~aa ~ab}")["options"][-1]["id"] == "ab"  # fmt: skip


def test_full_width_markup_in_markup_positions_only():
    assert one("：：标题：：问题｛＝对 ～错｝") == {
        "type": "single_choice",
        "title": "标题",
        "stem": "问题",
        "options": options(("对", 1.0), ("错", 0.0)),
        "shuffle": True,
    }
    # full-width braces that do not open answers are text
    assert one("请按｛订单号｝查询") == {"type": "description", "stem": "请按｛订单号｝查询"}
    assert one("请按｛订单号｝查询{T}")["stem"] == "请按｛订单号｝查询"
    # '～' inside text (a range) and '＝' after text are not markers
    definition = one("Q{=3～5 天 ~1＝1 ~a～b}")
    assert [o["text"] for o in definition["options"]] == ["3～5 天", "1＝1", "a～b"]
    # '％' weights, '＃' feedback, full-width digits and colon in numbers
    assert one("Q｛～％50％甲＃半对 ～％50％乙 ～丙｝")["options"][0] == {
        "id": "a",
        "text": "甲",
        "fraction": 0.5,
        "feedback": "半对",
    }
    assert one("Q｛＃１０：０．５｝")["answers"] == [
        {"value": 10.0, "tolerance": 0.5, "fraction": 1.0}
    ]
    assert one("Q｛ｔｒｕｅ｝")["answer"] is True
    # every arrow form in a matching question
    pairs = one("Q{=a -> 1 =b －> 2 =c -＞ 3 =d －＞ 4}")["pairs"]
    assert [p["answer"] for p in pairs] == ["1", "2", "3", "4"]
    # the author's full-width characters in text are kept
    assert one("价格：１００元？{T}")["stem"] == "价格：１００元？"


def test_true_false_spellings():
    for spelling, answer in [("T", True), ("TRUE", True), ("F", False), ("FALSE", False)]:
        assert one(f"Q{{{spelling}}}")["answer"] is answer
    assert one("Q{ true }")["answer"] is True
    assert one("Q{FALSE####general}")["general_feedback"] == "general"


def test_matching_needs_two_pairs_and_takes_extra_answers():
    definition = one("Q{=a -> 1 =b -> 2 = -> 3 = -> 4}")
    assert definition["pairs"] == [
        {"id": "1", "prompt": "a", "answer": "1"},
        {"id": "2", "prompt": "b", "answer": "2"},
    ]
    assert definition["distractors"] == ["3", "4"]
    assert one("Q{=a -> x -> y =b -> 2}")["pairs"][0]["answer"] == "x -> y"


def test_numerical_feedback_and_weights():
    assert one("Q{#=3:0.5#exact =%50%1..5#close ####see the rule}") == {
        "type": "numerical",
        "stem": "Q",
        "answers": [
            {"value": 3.0, "tolerance": 0.5, "fraction": 1.0, "feedback": "exact"},
            {"min": 1.0, "max": 5.0, "fraction": 0.5, "feedback": "close"},
        ],
        "general_feedback": "see the rule",
    }
    assert one("Q{#-2.5e1:1#fb}")["answers"] == [
        {"value": -25.0, "tolerance": 1.0, "fraction": 1.0, "feedback": "fb"}
    ]
    assert one("Q{#-5..-1}")["answers"] == [{"min": -5.0, "max": -1.0, "fraction": 1.0}]


def test_multi_line_question():
    definition = one("::多行::\n第一行\n第二行\n{\n=答案一\n#反馈\n跨行\n~答案二\n}")
    assert definition["stem"] == "第一行\n第二行"
    assert definition["options"][0]["feedback"] == "反馈\n跨行"


# --- malformed input ----------------------------------------------------------------------

MALFORMED = [
    # (text, line, column, message)
    ("问题{=对 ~错", 1, 3, "expected '}' to close the answer block opened here"),
    ("问题 =对}", 1, 6, "found '}' without an opening '{'"),
    ("A{=a ~b} B{=c ~d}", 1, 11, "a question has one answer block"),
    ("A{=a {~b}", 1, 6, "found a second '{' inside the answer block"),
    ("A{=a ~b}\nB{=c ~d}", 2, 2, "expected a blank line before the next question"),
    ("Q{=a ~b -> c}", 1, 9, "'->' belongs in matching questions"),
    ("Q{~a =b ~进入 设置->账户}", 1, 15, "write -\\> for an arrow"),
    ("Q{~%150%a =b}", 1, 4, "expected a weight from -100% to 100%, found 150%"),
    ("Q{~%-101%a =b}", 1, 4, "expected a weight from -100% to 100%, found -101%"),
    ("Q{~%abc%a =b}", 1, 4, "expected a number as the weight, found '%abc%'"),
    ("Q{~%%a =b}", 1, 4, "expected a number as the weight, found '%%'"),
    ("Q{~%50 a =b}", 1, 4, "expected a closing '%' after the weight"),
    ("Q{= ~b}", 1, 3, "expected an option after '='"),
    ("Q{=a ~#feedback only}", 1, 6, "expected an option after '~'"),
    ("Q{=a =}", 1, 6, "expected an answer after '='"),
    ("$CATEGORY:\n\nQ{T}", 1, 11, "expected a category name after '$CATEGORY:'"),
    ("$CATEGORY: 客服/ /物流\n\nQ{T}", 1, 12, "expected a category name between each '/'"),
    ("$CATEGORY: 客服/\n\nQ{T}", 1, 12, "expected a category name between each '/'"),
    ("::退货时限 顾客签收后几天内可以退货？{#7}", 1, 1, "expected '::' to close the title"),
    ("Q{=a -> 1 =b -> 2 =c}", 1, 19, "in a matching question every answer needs '->'"),
    ("Q{=a -> 1}", 1, 3, "expected at least 2 pairs '=prompt -> answer', found 1"),
    ("Q{=a -> 1 = -> 2}", 1, 3, "expected at least 2 pairs '=prompt -> answer', found 1"),
    ("Q{=a -> 1#fb =b -> 2}", 1, 10, "matching pairs have no feedback"),
    ("Q{=%50%a -> 1 =b -> 2}", 1, 4, "matching pairs have no weights"),
    ("Q{=a -> =b -> 2 =c -> 3}", 1, 6, "expected an answer after '->'"),
    ("Q{~a}", 1, 3, "expected at least 2 options"),
    ("Q{~a ~b}", 1, 3, "expected a right option"),
    ("Q{~%50%a ~%30%b ~c}", 1, 3, "add up to 100%, they add up to 80%"),
    ("Q{=%50%a =%50%b =%50%c ~d}", 1, 3, "they add up to 150%"),
    ("Q{=%50%a}", 1, 3, "expected one answer worth 100%"),
    ("Q{=%-50%a =b}", 1, 3, "expected a weight from 0% to 100% for an answer"),
    ("Q{#abc}", 1, 4, "expected a number, found 'abc'"),
    ("Q{#3,5}", 1, 4, "expected a number, found '3,5'"),
    ("Q{#3:-1}", 1, 4, "expected a tolerance of 0 or more, found -1"),
    ("Q{#3:x}", 1, 4, "expected a number, found 'x'"),
    ("Q{#5..1}", 1, 4, "expected 'min..max' with min <= max, found '5..1'"),
    ("Q{#}", 1, 3, "expected a number after '#'"),
    ("Q{#=%50%3}", 1, 3, "expected one answer worth 100%"),
    ("Q{#=%-50%3 =4}", 1, 4, "expected a weight from 0% to 100% for an answer"),
    ("Q{#3:2~#wrong}", 1, 7, "feedback for any other number is not supported"),
    ("Q{abc}", 1, 3, "expected an answer starting with '=' or '~'"),
    ("Q{a =b}", 1, 3, "expected an answer starting with '=' or '~'"),
    ("::t::{T}", 1, 1, "expected the question text"),
    ("::t::", 1, 1, "expected the question text"),
    ("问题｛＝对 ～错", 1, 3, "expected '}' to close the answer block"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "line", "column", "message"), MALFORMED)
def test_malformed(text, line, column, message):
    result = gift.parse(text)
    if "$CATEGORY" not in text:  # a bad category line leaves the question after it readable
        assert result.questions == []
    assert len(result.errors) == 1, result.errors
    error = result.errors[0]
    assert (error.line, error.column) == (line, column), error
    assert message in error.message


def test_every_error_is_collected_with_its_line():
    text = (
        "::ok::Fine{T}\n"
        "\n"
        "::one::Bad weight{\n"
        "  =a\n"
        "  ~%abc%b\n"
        "  ~%200%c\n"
        "}\n"
        "\n"
        "// a blank line inside a block ends the question\n"
        "::two::Unclosed{\n"
        "  =a\n"
        "\n"
        "  ~b\n"
        "}\n"
        "\n"
        "::three::{=a ~b}\n"
    )
    assert errors(text) == [
        (5, 4, "expected a number as the weight, found '%abc%'"),
        (6, 4, "expected a weight from -100% to 100%, found 200%"),
        (10, 16, "expected '}' to close the answer block opened here"
                 " (a blank line ends a question)"),
        (14, 1, "found '}' without an opening '{' (write \\} for a brace in the text)"),
        (16, 1, "expected the question text"),
    ]  # fmt: skip
    # the good question is still read; the caller writes nothing because of the errors
    assert [q.definition["title"] for q in gift.parse(text).questions] == ["ok"]


def test_error_columns_count_characters_not_bytes():
    assert errors("顾客问题：退货{~%百分之五十%甲 =乙}") == [
        (1, 10, "expected a number as the weight, found '%百分之五十%'")
    ]
    assert str(gift.parse("Q{#}").errors[0]) == (
        "line 1, column 3: expected a number after '#' (e.g. {#3:0.5} or {#1..5})"
    )
    assert str(ParseError(4, None, "x")) == "line 4: x"


# --- round trips --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["after_sales.gift.txt", "helpdesk_examples.gift.txt", "moodle_export.gift.txt"]
)
def test_fixture_round_trip(name):
    first = gift.parse(read(name))
    written = gift.dump(items(first))
    again = gift.parse(written)
    assert again.errors == []
    assert items(again) == items(first)
    assert gift.dump(items(again)) == written


def test_dump_shape():
    written = gift.dump(
        [
            (["客服", "退换货"], AFTER_SALES[0][2]),
            (["客服", "退换货"], AFTER_SALES[3][2]),
            (["客服/售后"], {"type": "essay", "stem": "写一段话术", "response_format": "text"}),
        ]
    )
    assert written == (
        "$CATEGORY: $course$/top/客服/退换货\n"
        "\n"
        "// [tag:退货] [tag:政策]\n"
        "::退货时限::[markdown]顾客签收商品后，几天内可以申请无理由退货？{\n"
        "\t~3 天内#太短了，请查看《售后政策》第 2 条。\n"
        "\t=7 天内#正确！自签收次日起计算。\n"
        "\t~15 天内#这是质量问题换货的时限。\n"
        "\t~30 天内\n"
        "\t####依据《消费者权益保护法》第二十五条。\n"
        "}\n"
        "\n"
        "::运费险::[markdown]顾客购买了运费险，退货时运费由保险公司赔付。"
        "{TRUE#运费险赔付的正是退货运费，请再确认。#正确，赔付一般在退货签收后 72 小时内到账。}\n"
        "\n"
        "$CATEGORY: $course$/top/客服//售后\n"
        "\n"
        "[markdown]写一段话术{}\n"
    )


def test_dump_escapes_markup_in_text():
    definition = {
        "type": "matching",
        "title": "a::b：",
        "stem": "[html] {x} #1 ~2 =3 a:b \\ line\nbreak ｛y｝",
        "pairs": [
            {"id": "1", "prompt": "%5 -> x # ＃", "answer": " ～y->z"[1:]},
            {"id": "2", "prompt": "[plain]p", "answer": "q"},
        ],
    }
    written = gift.dump([([], definition)])
    assert written == (
        "::a\\:\\:b\\：::[markdown][html] \\{x\\} \\#1 \\~2 \\=3 a\\:b \\\\ line\\nbreak"
        " \\｛y\\｝{\n"
        "\t=\\%5 -\\> x \\# \\＃ -> \\～y-\\>z\n"
        "\t=[markdown][plain]p -> q\n"
        "}\n"
    )
    assert items(gift.parse(written)) == [([], definition)]


def test_dump_true_false_feedback_order():
    for answer in (True, False):
        definition = {
            "type": "true_false",
            "stem": "Q",
            "answer": answer,
            "feedback_true": "about true",
        }
        assert one(gift.dump([([], definition)])) == definition
    written = gift.dump([([], {"type": "true_false", "stem": "Q", "answer": False,
                               "feedback_false": "right"})])  # fmt: skip
    assert written == "[markdown]Q{FALSE##right}\n"


def test_dump_single_choice_where_every_option_is_right():
    definition = {
        "type": "single_choice",
        "stem": "Q",
        "options": options(("a", 1.0), ("b", 1.0)),
        "shuffle": True,
    }
    written = gift.dump([([], definition)])
    assert written == "[markdown]Q{\n\t=a\n\t~%100%b\n}\n"  # only '=' would be a short answer
    assert one(written) == definition


def test_dump_refuses_what_gift_cannot_hold():
    ordering = {"type": "ordering", "stem": "Q", "items": [{"id": "1", "text": "a"}]}
    assert not gift.writable(ordering)
    assert gift.writable({"type": "essay", "stem": "Q"})
    with pytest.raises(ValueError, match="GIFT has no ordering questions"):
        gift.dump([([], ordering)])
    essay = {"type": "essay", "stem": "Q", "response_format": "text"}
    with pytest.raises(ValueError, match="category name"):
        gift.dump([(["a", "/b"], essay)])
    with pytest.raises(ValueError, match="tag"):
        gift.dump([([], {**essay, "tags": ["a\nb"]})])
    with pytest.raises(ValueError, match="number"):
        gift.dump([([], {"type": "numerical", "stem": "Q",
                         "answers": [{"value": float("inf"), "fraction": 1.0}]})])  # fmt: skip
    assert gift.dump([]) == ""


# Generated definitions: text full of markup (ASCII and full-width), escapes, CJK.
_FRAGMENTS = [
    "\\", ":", "::", "#", "####", "=", "~", "{", "}", "%", "%50%", "->", "-", ">", "\n", "\t",
    "＝", "～", "＃", "｛", "｝", "：", "：：", "％", "－＞", "－", "[html]", "[plain]", "T",
    "TRUE", "//", "$CATEGORY:", "____", "[tag:x]", "]", "/", " ", "\u3000", "\\n", "*", "_",
    "客服", "退货", "a", "Z", "1", "3.5",
]  # fmt: skip
_text = (
    st.lists(
        st.one_of(
            st.sampled_from(_FRAGMENTS),
            st.text(
                st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")),
                max_size=3,
            ),
        ),
        min_size=1,
        max_size=8,
    )
    .map(lambda parts: "".join(parts).strip())
    .filter(bool)
)
_line_text = _text.map(lambda s: s.replace("\n", " ").strip()).filter(bool)
_fractions = st.sampled_from([0.0, 0.5, -0.5, 0.25, -1.0, 0.1, 0.07, 1 / 3, -0.0]) | st.floats(
    -1, 1, allow_nan=False
)
_numbers = st.floats(allow_nan=False, allow_infinity=False)


def _with_feedback(item: dict[str, Any], feedback: str | None) -> dict[str, Any]:
    return {**item, "feedback": feedback} if feedback else item


@st.composite
def _options(draw, single: bool) -> list[dict[str, Any]]:
    if single:
        fractions = [1.0] + draw(st.lists(_fractions, min_size=1, max_size=4))
    else:
        positive = draw(st.sampled_from([["100"], ["50", "50"], ["25", "75"], ["20", "30", "50"],
                                         ["33.33333", "33.33333", "33.33334"]]))  # fmt: skip
        rest = draw(
            st.lists(
                st.sampled_from([0.0, -0.5, -1.0, -0.1]),
                min_size=max(0, 2 - len(positive)),
                max_size=2,
            )
        )
        fractions = [float(Decimal(p) / 100) for p in positive] + rest
    fractions = draw(st.permutations(fractions))
    return [
        _with_feedback(
            {"id": option_id(k), "text": draw(_text), "fraction": fraction},
            draw(st.none() | _text),
        )
        for k, fraction in enumerate(fractions)
    ]


@st.composite
def _numerical_answers(draw) -> list[dict[str, Any]]:
    answers = []
    for k in range(draw(st.integers(1, 3))):
        fraction = 1.0 if k == 0 else draw(st.floats(0, 1))
        if draw(st.booleans()):
            low, high = sorted(draw(st.tuples(_numbers, _numbers)))
            item = {"min": low, "max": high, "fraction": fraction}
        else:
            tolerance = abs(draw(_numbers))
            item = {"value": draw(_numbers), "tolerance": tolerance, "fraction": fraction}
        answers.append(_with_feedback(item, draw(st.none() | _text)))
    return answers


@st.composite
def _definitions(draw) -> dict[str, Any]:
    kinds = ["single_choice", "multiple_choice", "true_false", "essay", "short_answer",
             "numerical", "matching", "description"]  # fmt: skip
    kind = draw(st.sampled_from(kinds))
    definition: dict[str, Any] = {"type": kind, "stem": draw(_text)}
    if kind in ("single_choice", "multiple_choice"):
        definition["options"] = draw(_options(kind == "single_choice"))
        definition["shuffle"] = True
    elif kind == "true_false":
        definition["answer"] = draw(st.booleans())
        for key in ("feedback_true", "feedback_false"):
            if feedback := draw(st.none() | _text):
                definition[key] = feedback
    elif kind == "essay":
        definition["response_format"] = "text"
    elif kind == "short_answer":
        fractions = [1.0] + draw(st.lists(st.floats(0, 1), max_size=3))
        definition["answers"] = [
            _with_feedback({"text": draw(_text), "fraction": f}, draw(st.none() | _text))
            for f in fractions
        ]
        definition["case_sensitive"] = False
    elif kind == "numerical":
        definition["answers"] = draw(_numerical_answers())
    elif kind == "matching":
        definition["pairs"] = [
            {"id": str(k + 1), "prompt": draw(_text), "answer": draw(_text)}
            for k in range(draw(st.integers(2, 4)))
        ]
        if distractors := draw(st.lists(_text, max_size=2)):
            definition["distractors"] = distractors
    if draw(st.booleans()):
        definition["title"] = draw(_text)
    if kind != "description" and draw(st.booleans()):
        definition["general_feedback"] = draw(_text)
    if tags := draw(st.lists(_line_text, max_size=3, unique=True)):
        definition["tags"] = tags
    if draw(st.booleans()):
        definition["format"] = "html"
    return definition


_categories = st.lists(_line_text.filter(lambda name: not name.startswith("/")), max_size=3)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_categories, _definitions()), min_size=1, max_size=5))
def test_round_trip_of_generated_definitions(generated):
    written = gift.dump(generated)
    result = gift.parse(written)
    assert result.errors == [], written
    assert items(result) == generated, written


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS) | st.characters(codec="utf-8"), max_size=30))
def test_parse_never_crashes(parts):
    result = gift.parse("".join(parts))
    for question in result.questions:
        assert question.line >= 1
    for error in result.errors:
        assert error.line >= 1 and error.message


# --- Aiken --------------------------------------------------------------------------------


def test_aiken_good_file():
    result = aiken.parse(read("after_sales.aiken.txt"))
    assert result.errors == []
    got = [(q.line, q.category, q.definition) for q in result.questions]
    assert [line for line, _, _ in got] == [1, 8, 16, 22, 28]
    assert got[0][2] == {
        "type": "single_choice",
        "stem": "退货申请提交后，多久内会有客服联系顾客？",
        "options": options(
            ("2 小时内", 0.0), ("24 小时内", 1.0), ("7 天内", 0.0), ("不联系，直接退款", 0.0)
        ),
        "shuffle": True,
    }
    assert got[1][2]["stem"] == (
        "以下是一段聊天记录：\n顾客：我买的耳机左边没声音。\n请选择最合适的第一句回复。"
    )
    assert got[1][2]["options"][0]["fraction"] == 1.0
    # full-width letters and separators, 'ANSWER：'
    assert [o["text"] for o in got[2][2]["options"]] == [
        "当着快递员的面开箱检查并拍照",
        "先签收，之后再联系客服",
        "拒收，不做任何记录",
    ]
    assert got[2][2]["options"][0]["fraction"] == 1.0
    # 'A、' options and a lower-case answer letter
    assert [o["fraction"] for o in got[3][2]["options"]] == [0.0, 1.0, 0.0]
    assert [o["id"] for o in got[4][2]["options"]] == ["a", "b", "c", "d", "e", "f"]
    for _, category, definition in got:
        assert category == []
        assert_valid(definition)


def test_aiken_broken_file():
    result = aiken.parse(read("broken.aiken.txt"))
    assert [(e.line, e.column, e.message) for e in result.errors] == [
        (3, None, "expected at least 2 options before 'ANSWER:', found 1"),
        (5, 1, "expected the question text before the options"),
        (7, None, "expected at least 2 options before 'ANSWER:', found 1"),
        (18, 1, "expected option C or 'ANSWER: <letter>' for the question at line 14"
                " (a question ends with its ANSWER line)"),
        (20, 1, "expected option B, found C"),
        (26, None, "ANSWER: D names no option (the options are A to B)"),
        (30, 1, "expected the text of option B"),
        (36, None, "expected one option letter after 'ANSWER:', found 'A, B'"),
        (38, 1, "found 'ANSWER:' without a question before it"),
        (40, None, "expected 'ANSWER: <letter>' to end this question"),
    ]  # fmt: skip
    assert [q.definition["stem"] for q in result.questions] == ["A good question"]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("Q\nA. a\nB. b\nANSWER:", 4, "expected one option letter after 'ANSWER:', found nothing"),
        ("Q\nA. a\nB. b\nANSWER: 7", 4, "expected one option letter after 'ANSWER:', found '7'"),
        ("Q\nA. a\nB. b\nANSWER: C", 4, "ANSWER: C names no option (the options are A to B)"),
        ("Q\nANSWER: A", 2, "expected at least 2 options before 'ANSWER:', found 0"),
        ("Q\nA. a\nB. b", 1, "expected 'ANSWER: <letter>' to end this question"),
        ("Q\nB. a\nC. b\nANSWER: B", 2, "expected option A, found B"),
    ],
)
def test_aiken_malformed(text, line, message):
    result = aiken.parse(text)
    assert result.questions == []
    assert [(e.line, e.message) for e in result.errors][:1] == [(line, message)]


def test_aiken_details():
    result = aiken.parse(
        "\ufeff  Q one  \r\n\r\n  continued\r\n  A)  a \r\n  B)b\r\nANSWER:  b \r\n"
    )
    assert result.errors == []
    assert result.questions[0].definition == {
        "type": "single_choice",
        "stem": "Q one\n\ncontinued",
        "options": options(("a", 0.0), ("b", 1.0)),
        "shuffle": True,
    }
    assert aiken.parse("").questions == []
    assert aiken.parse("\n\n").errors == []

"""The ten question types: definitions, the learner's view, responses and grades; pure Python
(no app, no database). Examples first, then properties (hypothesis) for the auto-graded types."""

from __future__ import annotations

import copy
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessments.types import REGISTRY, DefinitionError, Grade, ResponseError, validate
from assessments.types.manual import grade_with_rubric, word_count
from assessments.types.scenario import is_manual, weighted_fraction
from assessments.types.text import matches, normalise_answer

PROPERTY = settings(max_examples=60, deadline=None, database=None)

# Keys that would give the key away; none may appear anywhere in a public view.
SECRET_KEYS = {
    "fraction",
    "answer",
    "answers",
    "feedback",
    "general_feedback",
    "feedback_true",
    "feedback_false",
    "points",
    "grader_info",
    "value",
    "tolerance",
    "min",
    "max",
    "pairs",
    "distractors",
}

SINGLE = {
    "type": "single_choice",
    "title": "退货期限",
    "stem": "无理由退货的期限是多少？",
    "stem_en": "How long may a customer return goods without a reason?",
    "general_feedback": "见《售后服务政策》第 2 条。",
    "tags": ["退货", "政策"],
    "options": [
        {"id": "a", "text": "3 天内", "fraction": 0, "feedback": "太短了。"},
        {"id": "b", "text": "7 天内", "text_en": "Within 7 days", "fraction": 1, "feedback": "对"},
        {"id": "c", "text": "15 天内", "fraction": 0.5, "feedback": "那是换货期限。"},
        {"id": "d", "text": "不支持退货", "fraction": -0.5, "feedback": "错误"},
    ],
}
MULTIPLE = {
    "type": "multiple_choice",
    "stem": "哪些商品不适用七天无理由退货？",
    "options": [
        {"id": "a", "text": "定制商品", "fraction": 0.5, "feedback": "对：定制商品除外。"},
        {"id": "b", "text": "鲜活易腐商品", "fraction": 0.5},
        {"id": "c", "text": "普通服装", "fraction": -1, "feedback": "服装可以退。"},
        {"id": "d", "text": "手机壳", "fraction": -0.25},
    ],
}
TRUE_FALSE = {
    "type": "true_false",
    "stem": "客户拒收包裹后，运费一律由客户承担。",
    "answer": False,
    "feedback_true": "不对：质量问题由商家承担运费。",
    "feedback_false": "正确。",
}
SHORT = {
    "type": "short_answer",
    "stem": "“7 天无理由退货”的简称是什么？",
    "answers": [
        {"text": "七天无理由", "fraction": 1, "feedback": "正确"},
        {"text": "七天*退货", "fraction": 0.5, "feedback": "基本正确"},
        {"text": "*", "fraction": 0, "feedback": "再想想"},
    ],
}
NUMERICAL = {
    "type": "numerical",
    "stem": "标准快递的承诺时效是几天？",
    "unit": "天",
    "answers": [
        {"value": 3, "tolerance": 0.5, "fraction": 1, "feedback": "正确"},
        {"min": 1, "max": 7, "fraction": 0.5, "feedback": "范围对了"},
    ],
}
MATCHING = {
    "type": "matching",
    "stem": "将问题与处理部门配对。",
    "pairs": [
        {"id": "1", "prompt": "发票开错", "prompt_en": "Wrong invoice", "answer": "财务部"},
        {"id": "2", "prompt": "商品破损", "answer": "仓储部"},
        {"id": "3", "prompt": "物流延误", "answer": "物流部"},
    ],
    "distractors": ["人事部", "财务部"],
}
ORDERING = {
    "type": "ordering",
    "stem": "按顺序排列处理投诉的步骤。",
    "items": [
        {"id": "listen", "text": "倾听"},
        {"id": "apologise", "text": "道歉", "text_en": "Apologise"},
        {"id": "solve", "text": "解决"},
        {"id": "follow", "text": "回访"},
    ],
}
ESSAY = {
    "type": "essay",
    "stem": "一位愤怒的客户说……请写出你的回复。",
    "min_words": 50,
    "max_words": 300,
    "grader_info": "关注共情与政策准确性。",
    "rubric": {
        "criteria": [
            {
                "id": "empathy",
                "name": "共情",
                "name_en": "Empathy",
                "levels": [
                    {"points": 0, "descriptor": "没有"},
                    {"points": 2, "descriptor": "部分"},
                    {"points": 4, "descriptor": "充分"},
                ],
            },
            {
                "id": "policy",
                "name": "政策准确",
                "levels": [{"points": 0, "descriptor": "错"}, {"points": 6, "descriptor": "对"}],
            },
        ]
    },
}
DESCRIPTION = {"type": "description", "stem": "以下三题基于同一位客户的来电。"}
SCENARIO = {
    "type": "scenario",
    "stem": "阅读对话，回答问题。",
    "case": "客户：我买的耳机坏了，已经第 5 天了，能退吗？\n客服：……",
    "case_en": "Customer: my earphones broke on day 5, can I return them?",
    "parts": [
        {"id": "p1", "weight": 1, "question": copy.deepcopy(TRUE_FALSE)},
        {"id": "p2", "weight": 3, "question": copy.deepcopy(SINGLE)},
    ],
}
SCENARIO_WITH_ESSAY = {
    **SCENARIO,
    "parts": [*SCENARIO["parts"], {"id": "p3", "weight": 2, "question": copy.deepcopy(ESSAY)}],
}
GOOD = [
    SINGLE,
    MULTIPLE,
    TRUE_FALSE,
    SHORT,
    NUMERICAL,
    MATCHING,
    ORDERING,
    ESSAY,
    DESCRIPTION,
    SCENARIO,
    SCENARIO_WITH_ESSAY,
]


def kind(definition):
    return REGISTRY[definition["type"]]


def problems(definition):
    return kind(definition).validate(definition)


def grade(definition, raw) -> Grade:
    parsed = kind(definition).parse_response(definition, raw)
    return kind(definition).grade(definition, parsed)


def all_keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in all_keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in all_keys(v)}
    return set()


def changed(definition, **changes):
    result = copy.deepcopy(definition)
    result.update(changes)
    return result


# --- the registry and definitions ----------------------------------------------------------


def test_importing_the_package_registers_the_ten_types():
    assert set(REGISTRY) == {
        "single_choice",
        "multiple_choice",
        "true_false",
        "short_answer",
        "numerical",
        "matching",
        "ordering",
        "essay",
        "scenario",
        "description",
    }
    assert REGISTRY["essay"].manual and not REGISTRY["single_choice"].manual


@pytest.mark.parametrize("definition", GOOD, ids=lambda d: d["type"])
def test_good_definitions_are_valid(definition):
    assert problems(definition) == []
    validate(definition)


def test_validate_raises_with_every_problem():
    with pytest.raises(DefinitionError) as caught:
        validate({"type": "single_choice", "options": [{"id": "a"}]})
    assert len(caught.value.problems) == 4  # stem, too few options, text, fraction
    with pytest.raises(DefinitionError):
        validate({"type": "no_such_type"})


def test_single_choice_reports_every_problem():
    found = problems(
        {
            "type": "single_choice",
            "title": 3,
            "tags": ["ok", 1],
            "shuffle": "yes",
            "options": [
                {"id": "a", "text": " ", "fraction": 2},
                {"id": "a", "text": "B", "fraction": "x", "feedback": 5},
                "oops",
            ],
        }
    )
    assert found == [
        "“title” must be text.",
        "“stem” is required.",
        "Each item of “tags” must be text.",
        "“shuffle” must be true or false.",
        "“options[3]” must be a mapping.",
        "The id “a” is used more than once in “options”.",
        "“options[1].text” is required.",
        "“options[1].fraction” must be between -1 and 1.",
        "“options[2].feedback” must be text.",
        "“options[2].fraction” must be a number.",
    ]


def test_choice_fractions():
    no_full = changed(SINGLE, options=[{**o, "fraction": 0.5} for o in SINGLE["options"]])
    assert problems(no_full) == ["At least one entry of “options” must have fraction 1."]
    assert problems(changed(SINGLE, options=SINGLE["options"][1:2])) == [
        "“options” needs at least 2 entries."
    ]
    too_little = copy.deepcopy(MULTIPLE)
    too_little["options"][1]["fraction"] = 0.4
    assert problems(too_little) == [
        "The positive fractions of “options” must add up to 1 (they add up to 0.9)."
    ]
    thirds = changed(
        MULTIPLE,
        options=[{"id": i, "text": i, "fraction": 0.333} for i in "abc"],
    )
    assert problems(thirds) == []  # 0.999 is within the tolerance
    assert problems(changed(MULTIPLE, options=[{**o, "fraction": -2} for o in MULTIPLE["options"]]))


def test_true_false_and_short_answer_problems():
    assert problems(changed(TRUE_FALSE, answer="yes", feedback_true=1)) == [
        "“answer” must be true or false.",
        "“feedback_true” must be text.",
    ]
    assert problems(changed(SHORT, answers=[], case_sensitive="no")) == [
        "“case_sensitive” must be true or false.",
        "“answers” must not be empty.",
    ]
    assert problems(changed(SHORT, answers=[{"text": "七天", "fraction": 1.5}])) == [
        "“answers[1].fraction” must be between 0 and 1."
    ]
    assert problems(changed(SHORT, answers=[{"text": "七天", "fraction": 0.5}])) == [
        "At least one entry of “answers” must have fraction 1."
    ]


def test_numerical_problems():
    found = problems(
        changed(
            NUMERICAL,
            unit=5,
            answers=[
                {"value": 3, "min": 1, "max": 4, "fraction": 1},
                {"min": 5, "max": 1, "fraction": 1},
                {"value": 3, "tolerance": -1, "fraction": 1},
                {"fraction": 1},
                {"min": 1, "fraction": 0},
                {"value": float("nan"), "fraction": 1},
            ],
        )
    )
    assert found == [
        "“unit” must be text.",
        "Give either “value” or “min” and “max” in “answers[1]”, not both.",
        "“answers[2].min” must not be greater than “answers[2].max”.",
        "“answers[3].tolerance” must not be negative.",
        "“answers[4].value” is required.",
        "“answers[5].max” is required.",
        "“answers[6].value” must be a number.",
    ]


def test_matching_and_ordering_problems():
    assert problems(
        changed(
            MATCHING,
            pairs=[{"id": "1", "prompt": "发票", "answer": "财务"}, {"id": "1", "prompt": "x"}],
            distractors=["", 3],
        )
    ) == [
        "The id “1” is used more than once in “pairs”.",
        "“pairs[2].answer” is required.",
        "Each item of “distractors” must be text.",
    ]
    assert problems(changed(ORDERING, items=[{"id": "a", "text": "倾听"}])) == [
        "“items” needs at least 2 entries."
    ]
    assert problems(changed(ORDERING, items={"a": 1})) == ["“items” must be a list."]


def test_essay_and_description_problems():
    rubric = {
        "criteria": [
            {"id": "c", "name": "共情", "levels": [{"points": -1, "descriptor": "没有"}]},
            {"id": "c", "levels": [{"points": 1}, {"points": 2, "descriptor": "好"}]},
        ]
    }
    found = problems(
        changed(ESSAY, response_format="html", min_words=10, max_words=5, rubric=rubric)
    )
    assert found == [
        "“response_format” must be one of: text.",
        "“min_words” must not be greater than “max_words”.",
        "The id “c” is used more than once in “rubric.criteria”.",
        "“rubric.criteria[1].levels” needs at least 2 entries.",
        "“rubric.criteria[1].levels[1].points” must not be negative.",
        "“rubric.criteria[2].name” is required.",
        "“rubric.criteria[2].levels[1].descriptor” is required.",
    ]
    worthless = {
        "criteria": [
            {"id": "c", "name": "n", "levels": [{"points": 0, "descriptor": d} for d in "ab"]}
        ]
    }
    assert problems(changed(ESSAY, rubric=worthless)) == [
        "Some level of “rubric” must be worth points."
    ]
    assert problems(changed(ESSAY, rubric=[])) == ["“rubric” must be a mapping."]
    assert problems({"type": "description"}) == ["“stem” is required."]


def test_scenario_problems_name_the_part():
    bad_part = copy.deepcopy(SINGLE)
    bad_part["options"][1]["fraction"] = "1"
    found = problems(
        {
            "type": "scenario",
            "parts": [
                {"id": "p1", "weight": 0, "question": bad_part},
                {"id": "p1", "weight": 1, "question": {"type": "scenario"}},
                {"id": "p3", "weight": 1, "question": {"type": "description", "stem": "x"}},
                {"id": "p4", "weight": 1, "question": {"type": "hologram"}},
                {"id": "p5", "weight": "1", "question": "not a question"},
            ],
        }
    )
    assert found == [
        "“case” is required.",
        "The id “p1” is used more than once in “parts”.",
        "“parts[1].weight” must be greater than 0.",
        "“parts[1].question.options[2].fraction” must be a number.",
        "“parts[2].question” cannot be a “scenario” question.",
        "“parts[3].question” cannot be a “description” question.",
        "“parts[4].question” has an unknown type “hologram”.",
        "“parts[5].weight” must be a number.",
        "“parts[5].question” must be a mapping.",
    ]


# --- what the learner sees ------------------------------------------------------------------


@pytest.mark.parametrize("definition", GOOD, ids=lambda d: d["type"])
@pytest.mark.parametrize("shuffle", [True, False])
def test_public_view_never_leaks_the_key(definition, shuffle):
    question = kind(definition)
    for state in ({}, question.prepare(definition, random.Random(7), shuffle)):
        view = question.public_view(definition, state)
        assert not all_keys(view) & SECRET_KEYS
        assert view["type"] == definition["type"]
        assert view.get("stem") == definition.get("stem", "")


def test_views_show_texts_in_the_prepared_order():
    state = kind(SINGLE).prepare(SINGLE, random.Random(3), True)
    view = kind(SINGLE).public_view(SINGLE, state)
    assert [o["id"] for o in view["options"]] == state["order"]
    assert sorted(state["order"]) == ["a", "b", "c", "d"]
    assert {"id": "b", "text": "7 天内", "text_en": "Within 7 days"} in view["options"]
    assert kind(SINGLE).prepare(SINGLE, random.Random(3), False) == {"order": ["a", "b", "c", "d"]}
    fixed = changed(SINGLE, shuffle=False)
    assert kind(SINGLE).prepare(fixed, random.Random(3), True)["order"] == ["a", "b", "c", "d"]
    assert kind(NUMERICAL).public_view(NUMERICAL, {})["unit"] == "天"
    assert kind(TRUE_FALSE).public_view(TRUE_FALSE, {}) == {
        "type": "true_false",
        "stem": TRUE_FALSE["stem"],
    }


def test_matching_view_does_not_pair_prompts_with_answers():
    question = kind(MATCHING)
    view = question.public_view(MATCHING, question.prepare(MATCHING, random.Random(1), False))
    assert view["prompts"] == [
        {"id": "1", "prompt": "发票开错", "prompt_en": "Wrong invoice"},
        {"id": "2", "prompt": "商品破损"},
        {"id": "3", "prompt": "物流延误"},
    ]
    assert view["choices"] == sorted(["财务部", "仓储部", "物流部", "人事部"])  # once each
    shuffled = question.prepare(MATCHING, random.Random(1), True)
    assert sorted(question.public_view(MATCHING, shuffled)["choices"]) == view["choices"]


def test_ordering_view_never_shows_the_right_order():
    question = kind(ORDERING)
    right = ["listen", "apologise", "solve", "follow"]
    for seed in range(30):
        state = question.prepare(ORDERING, random.Random(seed), True)
        assert state["order"] != right
        assert [i["id"] for i in question.public_view(ORDERING, state)["items"]] == state["order"]
    for state in ({}, {"order": right}, question.prepare(ORDERING, random.Random(1), False)):
        assert [i["id"] for i in question.public_view(ORDERING, state)["items"]] != right
    two = changed(ORDERING, items=ORDERING["items"][:2])
    for seed in range(20):  # half of all shuffles of two are the right order
        assert question.prepare(two, random.Random(seed), True)["order"] == ["apologise", "listen"]


def test_essay_view_shows_the_rubric_without_points():
    view = kind(ESSAY).public_view(ESSAY, {})
    assert view["response_format"] == "text"
    assert (view["min_words"], view["max_words"]) == (50, 300)
    assert view["rubric"]["criteria"][0] == {
        "id": "empathy",
        "name": "共情",
        "name_en": "Empathy",
        "levels": [{"descriptor": "没有"}, {"descriptor": "部分"}, {"descriptor": "充分"}],
    }


def test_scenario_delegates_prepare_and_view_to_its_parts():
    question = kind(SCENARIO)
    state = question.prepare(SCENARIO, random.Random(5), True)
    assert set(state["parts"]) == {"p1", "p2"}
    assert state == question.prepare(SCENARIO, random.Random(5), True)
    view = question.public_view(SCENARIO, state)
    assert view["case"] == SCENARIO["case"] and view["case_en"] == SCENARIO["case_en"]
    assert [(p["id"], p["weight"]) for p in view["parts"]] == [("p1", 1), ("p2", 3)]
    options = [o["id"] for o in view["parts"][1]["question"]["options"]]
    assert options == state["parts"]["p2"]["order"]


# --- responses ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("definition", "raw"),
    [
        (SINGLE, "z"),
        (SINGLE, ["b"]),
        (SINGLE, 1),
        (MULTIPLE, "a"),
        (MULTIPLE, ["a", "a"]),
        (MULTIPLE, ["a", "z"]),
        (MULTIPLE, [1]),
        (TRUE_FALSE, "maybe"),
        (TRUE_FALSE, 2),
        (TRUE_FALSE, []),
        (SHORT, 123),
        (SHORT, "长" * 1001),
        (NUMERICAL, "1,5"),
        (NUMERICAL, "1e3"),
        (NUMERICAL, "三"),
        (NUMERICAL, "3 天"),
        (NUMERICAL, "--3"),
        (NUMERICAL, True),
        (NUMERICAL, float("nan")),
        (NUMERICAL, float("inf")),
        (NUMERICAL, ["3"]),
        (NUMERICAL, "1" * 101),
        (MATCHING, ["财务部"]),
        (MATCHING, {"9": "财务部"}),
        (MATCHING, {"1": "客服部"}),
        (MATCHING, {"1": 3}),
        (ORDERING, ["listen", "apologise", "solve"]),
        (ORDERING, ["listen", "listen", "solve", "follow"]),
        (ORDERING, ["listen", "apologise", "solve", "follow", "extra"]),
        (ORDERING, "listen"),
        (ESSAY, "字" * 20_001),
        (ESSAY, {"text": "hi"}),
        (SCENARIO, ["p1"]),
        (SCENARIO, {"p9": True}),
        (SCENARIO, {"p1": "maybe"}),
    ],
)
def test_malformed_responses_are_rejected(definition, raw):
    with pytest.raises(ResponseError):
        kind(definition).parse_response(definition, raw)


def test_responses_are_normalised():
    assert kind(SINGLE).parse_response(SINGLE, " b ") == "b"
    assert kind(SINGLE).parse_response(SINGLE, "") is None
    assert kind(MULTIPLE).parse_response(MULTIPLE, ["c", "a"]) == ["a", "c"]
    assert kind(MULTIPLE).parse_response(MULTIPLE, []) == []
    for raw, parsed in [(True, True), ("false", False), ("T", True), ("0", False), (1, True)]:
        assert kind(TRUE_FALSE).parse_response(TRUE_FALSE, raw) is parsed
    assert kind(SHORT).parse_response(SHORT, "  七天 ") == "七天"
    assert kind(SHORT).parse_response(SHORT, " 　") is None
    for raw, parsed in [("－３．５", -3.5), ("+7", 7.0), (".5", 0.5), ("3.", 3.0), (2, 2.0)]:
        assert kind(NUMERICAL).parse_response(NUMERICAL, raw) == parsed
    assert kind(NUMERICAL).parse_response(NUMERICAL, "　") is None
    assert kind(MATCHING).parse_response(MATCHING, {"3": "物流部", "1": "", "2": None}) == {
        "3": "物流部"
    }
    assert kind(ESSAY).parse_response(ESSAY, "  \n ") is None
    assert kind(DESCRIPTION).parse_response(DESCRIPTION, "anything") is None
    assert kind(SCENARIO).parse_response(SCENARIO, {"p2": "b"}) == {"p1": None, "p2": "b"}


def test_response_errors_read_as_text_without_an_app():
    with pytest.raises(ResponseError, match="Choose one of the options."):
        kind(SINGLE).parse_response(SINGLE, "z")
    with pytest.raises(ResponseError, match="at most 1000 characters"):
        kind(SHORT).parse_response(SHORT, "x" * 1001)


# --- grades ---------------------------------------------------------------------------------


def test_single_choice_grades():
    assert grade(SINGLE, "b") == Grade(1.0, "对")
    assert grade(SINGLE, "c") == Grade(0.5, "那是换货期限。")
    assert grade(SINGLE, "d") == Grade(0.0, "错误")  # -0.5 floored at 0
    assert grade(SINGLE, None) == Grade(0.0)
    assert kind(SINGLE).right_answer(SINGLE) == "B. 7 天内"


def test_multiple_choice_adds_weights_and_floors_at_zero():
    assert grade(MULTIPLE, ["a", "b"]).fraction == 1.0
    assert grade(MULTIPLE, ["b", "a"]).fraction == 1.0
    assert grade(MULTIPLE, ["a"]) == Grade(0.5, "对：定制商品除外。")
    assert grade(MULTIPLE, ["a", "b", "d"]).fraction == 0.75
    assert grade(MULTIPLE, ["a", "c"]).fraction == 0.0  # 0.5 - 1 floored
    assert grade(MULTIPLE, ["a", "b", "c", "d"]).fraction == 0.0
    assert grade(MULTIPLE, []).fraction == 0.0
    assert grade(MULTIPLE, ["a", "c"]).feedback == "对：定制商品除外。\n\n服装可以退。"
    thirds = changed(MULTIPLE, options=[{"id": i, "text": i, "fraction": 0.333} for i in "abc"])
    assert grade(thirds, ["a", "b", "c"]).fraction == 1.0
    assert kind(MULTIPLE).right_answer(MULTIPLE) == "A. 定制商品; B. 鲜活易腐商品"


def test_true_false_grades_with_the_chosen_feedback():
    assert grade(TRUE_FALSE, "false") == Grade(1.0, "正确。")
    assert grade(TRUE_FALSE, True) == Grade(0.0, "不对：质量问题由商家承担运费。")
    assert kind(TRUE_FALSE).right_answer(TRUE_FALSE) == "False"


@pytest.mark.parametrize(
    ("answer", "response", "case_sensitive", "accepted"),
    [
        ("七天无理由", "七 天 无 理 由", False, True),
        ("七天无理由", "七天　无理由", False, True),  # ideographic space
        ("七天无理由", "  七天无理由\n", False, True),
        ("七天无理由", "七天无理由。", False, False),
        ("abc", "ＡＢＣ", False, True),  # full width and case
        ("abc", "ＡＢＣ", True, False),
        ("ABC", "ＡＢＣ", True, True),
        ("order  number", "ORDER number", False, True),
        ("iPhone 15 退货", "iphone 15退货", False, False),  # the space is not between two CJK
        ("售后 服务", "售后服务", False, True),
        ("七天*退货", "七天无理由退货", False, True),
        ("七天*退货", "七天退货", False, True),
        ("七天*退货", "退货七天", False, False),
        ("*退货*", "可以申请退货吗", False, True),
        ("a*b*a", "aba", False, True),
        ("a*b*a", "ab", False, False),
        (r"5\*", "5*", False, True),
        (r"5\*", "56", False, False),
        ("Straße", "STRASSE", False, True),
        ("，", ",", False, True),
    ],
)
def test_short_answer_matching(answer, response, case_sensitive, accepted):
    assert matches(answer, response, case_sensitive) is accepted


def test_normalise_answer():
    assert normalise_answer("  七 天　无理由  ＡＢＣ ", False) == "七天无理由 abc"
    assert normalise_answer("ＡＢＣ　１２３", True) == "ABC 123"


def test_short_answer_grades_take_the_best_matching_answer():
    assert grade(SHORT, "七 天 无 理 由") == Grade(1.0, "正确")
    assert grade(SHORT, "七天无理由退货") == Grade(0.5, "基本正确")
    assert grade(SHORT, "三十天") == Grade(0.0, "再想想")
    assert grade(SHORT, None) == Grade(0.0)
    assert kind(SHORT).right_answer(SHORT) == "七天无理由"
    strict = changed(SHORT, case_sensitive=True, answers=[{"text": "SKU", "fraction": 1}])
    assert grade(strict, "sku").fraction == 0.0
    assert grade(strict, "ＳＫＵ").fraction == 1.0


def test_numerical_grades_with_tolerance_and_ranges():
    assert grade(NUMERICAL, "3") == Grade(1.0, "正确")
    assert grade(NUMERICAL, "３．５").fraction == 1.0
    assert grade(NUMERICAL, 2.5).fraction == 1.0
    assert grade(NUMERICAL, "3.6") == Grade(0.5, "范围对了")
    assert grade(NUMERICAL, "7").fraction == 0.5
    assert grade(NUMERICAL, "7.01").fraction == 0.0
    assert grade(NUMERICAL, "-3").fraction == 0.0
    tenth = changed(NUMERICAL, answers=[{"value": 3, "tolerance": 0.1, "fraction": 1}])
    assert grade(tenth, "3.1").fraction == 1.0  # 3.1 - 3 is 0.10000000000000009 in floats
    exact = changed(NUMERICAL, answers=[{"value": 0.3, "fraction": 1}])
    assert grade(exact, 0.1 + 0.2).fraction == 1.0
    assert kind(NUMERICAL).right_answer(NUMERICAL) == "3 ± 0.5 天"
    ranged = changed(NUMERICAL, unit=None, answers=[{"min": 1.5, "max": 4, "fraction": 1}])
    assert kind(NUMERICAL).right_answer(ranged) == "1.5–4"


def test_matching_gives_partial_credit():
    right = {"1": "财务部", "2": "仓储部", "3": "物流部"}
    assert grade(MATCHING, right).fraction == 1.0
    assert grade(MATCHING, {**right, "3": "人事部"}).fraction == pytest.approx(2 / 3)
    assert grade(MATCHING, {"2": "仓储部"}).fraction == pytest.approx(1 / 3)
    assert grade(MATCHING, {}).fraction == 0.0
    assert kind(MATCHING).right_answer(MATCHING) == (
        "发票开错 → 财务部; 商品破损 → 仓储部; 物流延误 → 物流部"
    )


@pytest.mark.parametrize(
    ("order", "fraction"),
    [
        (["listen", "apologise", "solve", "follow"], 1.0),
        (["follow", "solve", "apologise", "listen"], 0.0),
        (["apologise", "solve", "follow", "listen"], 2 / 3),
        (["listen", "apologise", "follow", "solve"], 1 / 3),
        (["solve", "follow", "listen", "apologise"], 2 / 3),
    ],
)
def test_ordering_scores_adjacent_pairs(order, fraction):
    assert grade(ORDERING, order).fraction == pytest.approx(fraction)


def test_ordering_right_answer():
    assert kind(ORDERING).right_answer(ORDERING) == "倾听 → 道歉 → 解决 → 回访"


def test_essay_waits_for_a_person_and_rubrics_score_it():
    result = grade(ESSAY, "您好，非常抱歉给您带来不便。We will refund you today.")
    assert result.fraction is None and result.needs_manual
    assert result.details["words"] == 12 + 5
    assert grade(ESSAY, "") == Grade(0.0, details={"words": 0})  # nothing to grade
    assert grade_with_rubric(ESSAY, {"empathy": 2, "policy": 6}) == 0.8
    assert grade_with_rubric(ESSAY, {"empathy": "4", "policy": "6"}) == 1.0
    assert grade_with_rubric(ESSAY, {"empathy": 0, "policy": 0}) == 0.0
    for scores in ({"empathy": 2}, {"empathy": 3, "policy": 6}, {"empathy": 2, "policy": "x"}):
        with pytest.raises(ResponseError):
            grade_with_rubric(ESSAY, scores)
    with pytest.raises(DefinitionError):
        grade_with_rubric(changed(ESSAY, rubric=None), {})
    assert kind(ESSAY).right_answer(ESSAY) == ""


def test_word_count_counts_each_cjk_character():
    assert word_count("七天无理由") == 5
    assert word_count("I can't find order 12345, 请帮忙。") == 5 + 3
    assert word_count("") == 0


def test_description_is_worth_nothing_to_answer():
    assert grade(DESCRIPTION, None) == Grade(1.0)
    assert kind(DESCRIPTION).public_view(DESCRIPTION, {}) == DESCRIPTION


def test_scenario_weights_its_parts():
    assert grade(SCENARIO, {"p1": False, "p2": "b"}).fraction == 1.0
    result = grade(SCENARIO, {"p1": False, "p2": "a"})
    assert result.fraction == 0.25
    assert result.details == {"parts": {"p1": 1.0, "p2": 0.0}}
    assert result.feedback == "正确。\n\n太短了。"
    assert grade(SCENARIO, {"p1": True, "p2": "c"}).fraction == 0.375
    assert grade(SCENARIO, None).fraction == 0.0
    assert kind(SCENARIO).right_answer(SCENARIO) == "p1: False\np2: B. 7 天内"


def test_scenario_with_a_manual_part_waits_with_the_parts_it_could_grade():
    answered = {"p1": False, "p2": "c", "p3": "非常抱歉，我们马上为您处理退货。"}
    result = grade(SCENARIO_WITH_ESSAY, answered)
    assert result.fraction is None
    assert result.details["parts"] == {"p1": 1.0, "p2": 0.5, "p3": None}
    completed = {**result.details["parts"], "p3": 0.8}
    assert weighted_fraction(SCENARIO_WITH_ESSAY, completed) == pytest.approx(
        (1 * 1.0 + 3 * 0.5 + 2 * 0.8) / 6
    )
    assert grade(SCENARIO_WITH_ESSAY, {**answered, "p3": None}).fraction == pytest.approx(2.5 / 6)
    assert is_manual(SCENARIO_WITH_ESSAY) and not is_manual(SCENARIO)
    assert is_manual(ESSAY) and not is_manual(SINGLE)


# --- properties -----------------------------------------------------------------------------

IDS = st.text(alphabet="abcdefgh", min_size=1, max_size=3)
# Realistic answer material: CJK, full-width letters and digits, spaces of both widths.
ALPHABET = "abcXYZ019 七天无理由退货客服，。!?-　ＡＢｃ１２\t"
TEXTS = st.text(alphabet=ALPHABET, min_size=1, max_size=12).filter(lambda t: t.strip())
STAR_TEXTS = st.text(alphabet=ALPHABET + "*", min_size=1, max_size=12).filter(lambda t: t.strip())
NUMBERS = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@st.composite
def choice_definitions(draw, multiple=False):
    ids = draw(st.lists(IDS, min_size=2, max_size=6, unique=True))
    if multiple:
        positive = draw(st.sets(st.sampled_from(range(len(ids))), min_size=1))
        weights = {i: draw(st.integers(1, 10)) for i in positive}
        negative = st.sampled_from([0.0, -0.25, -0.5, -1.0])
        fractions = [
            weights[i] / sum(weights.values()) if i in positive else draw(negative)
            for i in range(len(ids))
        ]
    else:
        fractions = [draw(st.sampled_from([-1.0, -0.5, 0.0, 0.25, 0.5, 1.0])) for _i in ids]
        fractions[draw(st.integers(0, len(ids) - 1))] = 1.0
    return {
        "type": "multiple_choice" if multiple else "single_choice",
        "stem": draw(TEXTS),
        "shuffle": draw(st.booleans()),
        "options": [
            {"id": i, "text": draw(TEXTS), "fraction": f, "feedback": "fb"}
            for i, f in zip(ids, fractions, strict=True)
        ],
    }


@st.composite
def true_false_definitions(draw):
    return {"type": "true_false", "stem": draw(TEXTS), "answer": draw(st.booleans())}


@st.composite
def short_answer_definitions(draw):
    answers = [
        {"text": draw(STAR_TEXTS), "fraction": draw(st.sampled_from([0.0, 0.5, 1.0]))}
        for _i in range(draw(st.integers(1, 4)))
    ]
    answers[draw(st.integers(0, len(answers) - 1))]["fraction"] = 1.0
    return {
        "type": "short_answer",
        "stem": draw(TEXTS),
        "case_sensitive": draw(st.booleans()),
        "answers": answers,
    }


@st.composite
def numerical_answers(draw):
    if draw(st.booleans()):
        return {"value": draw(NUMBERS), "tolerance": draw(st.floats(0, 100))}
    low, high = sorted([draw(NUMBERS), draw(NUMBERS)])
    return {"min": low, "max": high}


@st.composite
def numerical_definitions(draw):
    answers = [
        {**draw(numerical_answers()), "fraction": draw(st.sampled_from([0.0, 0.5, 1.0]))}
        for _i in range(draw(st.integers(1, 4)))
    ]
    answers[draw(st.integers(0, len(answers) - 1))]["fraction"] = 1.0
    return {"type": "numerical", "stem": draw(TEXTS), "answers": answers}


@st.composite
def matching_definitions(draw):
    ids = draw(st.lists(IDS, min_size=2, max_size=6, unique=True))
    return {
        "type": "matching",
        "stem": draw(TEXTS),
        "pairs": [{"id": i, "prompt": draw(TEXTS), "answer": draw(TEXTS)} for i in ids],
        "distractors": draw(st.lists(TEXTS, max_size=3)),
    }


@st.composite
def ordering_definitions(draw):
    ids = draw(st.lists(IDS, min_size=2, max_size=7, unique=True))
    return {
        "type": "ordering",
        "stem": draw(TEXTS),
        "items": [{"id": i, "text": draw(TEXTS)} for i in ids],
    }


PART_DEFINITIONS = st.one_of(
    choice_definitions(),
    choice_definitions(multiple=True),
    true_false_definitions(),
    short_answer_definitions(),
    numerical_definitions(),
    matching_definitions(),
    ordering_definitions(),
)


@st.composite
def scenario_definitions(draw):
    ids = draw(st.lists(IDS, min_size=1, max_size=4, unique=True))
    return {
        "type": "scenario",
        "case": draw(TEXTS),
        "parts": [
            {
                "id": i,
                "weight": draw(st.floats(0.1, 10)),
                "question": draw(PART_DEFINITIONS),
            }
            for i in ids
        ],
    }


AUTO_DEFINITIONS = st.one_of(PART_DEFINITIONS, scenario_definitions())


def key_of(definition):
    """The right response, built from the definition."""
    match definition["type"]:
        case "single_choice":
            return next(o["id"] for o in definition["options"] if o["fraction"] == 1.0)
        case "multiple_choice":
            return [o["id"] for o in definition["options"] if o["fraction"] > 0]
        case "true_false":
            return definition["answer"]
        case "short_answer":
            full = next(a for a in definition["answers"] if a["fraction"] == 1.0)
            return full["text"].replace("*", "x")
        case "numerical":
            full = next(a for a in definition["answers"] if a["fraction"] == 1.0)
            return full.get("value", full.get("min"))
        case "matching":
            return {p["id"]: p["answer"] for p in definition["pairs"]}
        case "ordering":
            return [i["id"] for i in definition["items"]]
        case "scenario":
            return {p["id"]: key_of(p["question"]) for p in definition["parts"]}


def any_response(definition):
    """A strategy for any well-formed response to the definition."""
    match definition["type"]:
        case "single_choice":
            return st.sampled_from([o["id"] for o in definition["options"]])
        case "multiple_choice":
            ids = [o["id"] for o in definition["options"]]
            return st.lists(st.sampled_from(ids), unique=True)
        case "true_false":
            return st.booleans()
        case "short_answer":
            return st.one_of(STAR_TEXTS, st.text(max_size=40))
        case "numerical":
            return NUMBERS
        case "matching":
            choices = [p["answer"] for p in definition["pairs"]] + definition["distractors"]
            ids = [p["id"] for p in definition["pairs"]]
            return st.dictionaries(st.sampled_from(ids), st.sampled_from(choices))
        case "ordering":
            return st.permutations([i["id"] for i in definition["items"]])
        case "scenario":
            return st.fixed_dictionaries(
                {p["id"]: any_response(p["question"]) for p in definition["parts"]}
            )


@PROPERTY
@given(AUTO_DEFINITIONS)
def test_generated_definitions_are_valid(definition):
    assert problems(definition) == []


@PROPERTY
@given(st.data())
def test_any_response_grades_within_zero_and_one(data):
    definition = data.draw(AUTO_DEFINITIONS)
    result = grade(definition, data.draw(any_response(definition)))
    assert 0.0 <= result.fraction <= 1.0


@PROPERTY
@given(AUTO_DEFINITIONS)
def test_the_key_gets_full_marks(definition):
    assert grade(definition, key_of(definition)).fraction == 1.0


@PROPERTY
@given(st.data())
def test_multiple_choice_ignores_the_order_of_the_chosen_ids(data):
    definition = data.draw(choice_definitions(multiple=True))
    chosen = data.draw(any_response(definition))
    shuffled = data.draw(st.permutations(chosen))
    question = kind(definition)
    assert question.grade(definition, shuffled) == question.grade(definition, chosen)
    assert grade(definition, shuffled) == grade(definition, chosen)


@PROPERTY
@given(st.data())
def test_matching_ignores_the_order_of_the_response(data):
    definition = data.draw(matching_definitions())
    response = data.draw(any_response(definition))
    reordered = dict(reversed(list(response.items())))
    assert grade(definition, reordered) == grade(definition, response)


def shown(view):
    """What a view shows of a definition's options, prompts, choices or items."""
    match view["type"]:
        case "single_choice" | "multiple_choice":
            return sorted((o["id"], o["text"]) for o in view["options"])
        case "matching":
            return sorted((p["id"], p["prompt"]) for p in view["prompts"]), sorted(view["choices"])
        case "ordering":
            return sorted((i["id"], i["text"]) for i in view["items"])
        case "scenario":
            return [(p["id"], shown(p["question"])) for p in view["parts"]]
    return None


def defined(definition):
    match definition["type"]:
        case "single_choice" | "multiple_choice":
            return sorted((o["id"], o["text"]) for o in definition["options"])
        case "matching":
            pairs = definition["pairs"]
            choices = {p["answer"] for p in pairs} | set(definition["distractors"])
            return sorted((p["id"], p["prompt"]) for p in pairs), sorted(choices)
        case "ordering":
            return sorted((i["id"], i["text"]) for i in definition["items"])
        case "scenario":
            return [(p["id"], defined(p["question"])) for p in definition["parts"]]
    return None


@PROPERTY
@given(AUTO_DEFINITIONS, st.integers(0, 2**32), st.booleans())
def test_prepare_is_deterministic_and_the_view_shows_exactly_the_definition(
    definition, seed, shuffle
):
    question = kind(definition)
    state = question.prepare(definition, random.Random(seed), shuffle)
    assert state == question.prepare(definition, random.Random(seed), shuffle)
    view = question.public_view(definition, state)
    assert shown(view) == defined(definition)
    assert not all_keys(view) & SECRET_KEYS
    if definition["type"] == "ordering":
        assert [i["id"] for i in view["items"]] != key_of(definition)


@PROPERTY
@given(st.text(alphabet=ALPHABET + "*", max_size=30), st.booleans())
def test_normalising_twice_changes_nothing(text, case_sensitive):
    once = normalise_answer(text, case_sensitive)
    assert normalise_answer(once, case_sensitive) == once


@PROPERTY
@given(st.text(alphabet="七天无理由退货客服", min_size=1, max_size=9), st.sampled_from(" 　"))
def test_spaces_between_cjk_characters_do_not_matter(text, space):
    assert matches(text, space.join(text))


@PROPERTY
@given(st.text(alphabet="abcXYZ0189 ", min_size=1, max_size=20))
def test_full_width_equals_half_width(text):
    full = "".join(chr(ord(c) + 0xFEE0) if c != " " else "　" for c in text)
    assert normalise_answer(full, True) == normalise_answer(text, True)


@PROPERTY
@given(NUMBERS)
def test_numbers_typed_in_full_width_parse_the_same(value):
    typed = f"{value:.4f}"
    full = "".join(chr(ord(c) + 0xFEE0) for c in typed)
    question = kind(NUMERICAL)
    assert question.parse_response(NUMERICAL, full) == question.parse_response(NUMERICAL, typed)
    assert question.parse_response(NUMERICAL, typed) == float(typed)


@PROPERTY
@given(st.lists(st.lists(st.integers(0, 10), min_size=2, max_size=4), min_size=1, max_size=4))
def test_rubric_scores_are_fractions_and_the_top_levels_are_full_marks(criteria_points):
    criteria_points = [p if max(p) > 0 else [*p, 1] for p in criteria_points]
    essay = {
        "type": "essay",
        "stem": "回复客户",
        "rubric": {
            "criteria": [
                {
                    "id": f"c{n}",
                    "name": f"标准{n}",
                    "levels": [{"points": p, "descriptor": str(p)} for p in points],
                }
                for n, points in enumerate(criteria_points)
            ]
        },
    }
    assert problems(essay) == []
    top = {f"c{n}": max(points) for n, points in enumerate(criteria_points)}
    low = {f"c{n}": min(points) for n, points in enumerate(criteria_points)}
    assert grade_with_rubric(essay, top) == 1.0
    assert 0.0 <= grade_with_rubric(essay, low) <= 1.0


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=12,
)
KEYS = [
    "stem", "options", "answer", "answers", "pairs", "items", "distractors", "rubric",
    "parts", "case", "unit", "tags", "min_words", "max_words", "case_sensitive", "shuffle",
]  # fmt: skip


@st.composite
def fuzzed_definitions(draw, depth=1):
    definition = {"type": draw(st.sampled_from(sorted(REGISTRY)))}
    for key in draw(st.sets(st.sampled_from(KEYS))):
        definition[key] = draw(JSON)
    if definition["type"] in ("scenario", "matching", "ordering", "single_choice") and depth:
        # entries that look nearly right, so the checks go deeper than "must be a list"
        entry = st.fixed_dictionaries(
            {"id": IDS, "weight": JSON, "question": fuzzed_definitions(depth=0)},
            optional={"text": JSON, "fraction": JSON, "prompt": JSON, "answer": JSON},
        )
        key = {"scenario": "parts", "matching": "pairs", "ordering": "items"}.get(
            definition["type"], "options"
        )
        definition[key] = draw(st.lists(entry, max_size=3))
    return definition


@PROPERTY
@given(fuzzed_definitions())
def test_validate_reports_problems_and_never_raises_on_any_json(definition):
    found = problems(definition)
    assert all(isinstance(problem, str) and problem for problem in found)


@PROPERTY
@given(st.one_of(AUTO_DEFINITIONS, st.just(ESSAY), st.just(DESCRIPTION)), JSON)
def test_any_submitted_json_is_parsed_or_refused_with_a_response_error(definition, raw):
    question = kind(definition)
    try:
        parsed = question.parse_response(definition, raw)
    except ResponseError:
        return
    result = question.grade(definition, parsed)
    assert result.fraction is None or 0.0 <= result.fraction <= 1.0

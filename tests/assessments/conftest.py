"""Factories for the question bank and quizzes: ``quizzes.quiz(questions=3)``."""

from __future__ import annotations

import pytest

from assessments import bank, quizzes
from assessments.models import OverduePolicy
from lms import clock
from lms.extensions import db


def true_false(n: int, answer: bool = True) -> dict:
    return {
        "type": "true_false",
        "stem": f"判断题 {n}：七天无理由退货适用于定制商品吗？",
        "answer": answer,
        "feedback_true": "对",
        "feedback_false": "错",
    }


def single_choice(n: int) -> dict:
    return {
        "type": "single_choice",
        "stem": f"单选题 {n}：客户首次咨询应在多长时间内响应？",
        "options": [
            {"id": "a", "text": "30 分钟内", "fraction": 1.0, "feedback": "正确"},
            {"id": "b", "text": "24 小时内", "fraction": 0.0},
            {"id": "c", "text": "三个工作日内", "fraction": 0.0},
        ],
    }


def essay(n: int) -> dict:
    return {
        "type": "essay",
        "stem": f"角色扮演 {n}：一位愤怒的客户说……请写出你的回复。",
        "rubric": {
            "criteria": [
                {
                    "id": "empathy",
                    "name": "共情",
                    "levels": [
                        {"points": 0, "descriptor": "没有"},
                        {"points": 2, "descriptor": "部分"},
                        {"points": 4, "descriptor": "充分"},
                    ],
                },
                {
                    "id": "policy",
                    "name": "政策准确",
                    "levels": [
                        {"points": 0, "descriptor": "错误"},
                        {"points": 6, "descriptor": "正确"},
                    ],
                },
            ]
        },
    }


class QuizFactory:
    def __init__(self) -> None:
        self.n = 0

    def category(self, name: str = "客服基础", parent=None):
        return bank.save_category(None, name=name, name_en=None, parent=parent)

    def question(self, definition: dict, category=None):
        self.n += 1
        return bank.create_question(
            category or self.category(f"分类{self.n}"), definition, actor=None, now=clock.now()
        )

    def quiz(
        self,
        *,
        questions: int = 2,
        definitions: list[dict] | None = None,
        publish: bool = True,
        **settings,
    ):
        self.n += 1
        category = self.category(f"测验分类{self.n}")
        definitions = definitions or [true_false(i) for i in range(questions)]
        quiz = quizzes.save_quiz(
            None,
            quizzes.QuizSettings(title=f"测验{self.n}", **settings),
            actor=None,
            now=clock.now(),
        )
        for definition in definitions:
            quizzes.add_fixed(quiz, self.question(definition, category))
        if publish:
            quizzes.publish(quiz)
        db.session.flush()
        return quiz


@pytest.fixture
def quizzes_factory(app) -> QuizFactory:
    return QuizFactory()


__all__ = ["OverduePolicy", "QuizFactory", "essay", "single_choice", "true_false"]

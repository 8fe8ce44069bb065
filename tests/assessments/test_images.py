"""Images in questions: uploading on the bank's edit page, ``image:NAME`` in the Markdown,
serving them only to people who may see the question version, and new versions carrying
them over."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from assessments import attempts, bank, images, quizzes
from assessments.bank import BankError
from assessments.models import QuestionImage
from lms import clock
from lms.extensions import db
from tests.conftest import csrf_from, login

# the PNG signature and a minimal IHDR chunk (1x1, 8-bit RGBA)
PNG = (
    b"\x89PNG\r\n\x1a\n"
    b"\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56


def definition(stem: str = "看图回答：这是哪种物流破损？", option: str = "外箱压痕") -> dict:
    return {
        "type": "single_choice",
        "stem": stem,
        "shuffle": False,
        "options": [
            {"id": "a", "text": option, "fraction": 1.0},
            {"id": "b", "text": "内件丢失", "fraction": 0.0},
        ],
    }


WITH_IMAGE = definition(
    "看图回答：![破损的外箱](image:box.png)", option="![压痕](image:box.png) 外箱压痕"
)


@pytest.fixture
def hr(make):
    return make.employee("hr-images", roles={"hr"})


@pytest.fixture
def question(app, quizzes_factory):
    return quizzes_factory.question(definition())


def upload(client, question_id: int, name: str, data: bytes):
    token = csrf_from(client.get(f"/bank/questions/{question_id}").get_data(as_text=True))
    return client.post(
        f"/bank/questions/{question_id}/images",
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def quiz_with(question):
    quiz = quizzes.save_quiz(
        None, quizzes.QuizSettings(title="看图测验"), actor=None, now=clock.now()
    )
    quizzes.add_fixed(quiz, question)
    quizzes.publish(quiz)
    db.session.flush()
    return quiz


def image_urls(html: str) -> list[str]:
    return re.findall(r'<img src="(/questions/images/\d+/[^"]+)"', html)


def test_an_uploaded_image_shows_in_the_attempt_and_only_to_who_may_see_it(
    app, client, sign_in, make, hr, question
):
    sign_in(hr)
    page = upload(client, question.id, "box.png", PNG).get_data(as_text=True)
    assert "box.png has been uploaded." in page
    assert "![box](image:box.png)" in page  # the snippet to copy
    first = question.current_version
    bank.edit_question(question, WITH_IMAGE, actor=hr, now=clock.now())
    version = question.current_version
    assert version.id != first.id
    image = db.session.scalar(
        sa.select(QuestionImage).where(QuestionImage.question_version_id == version.id)
    )
    assert image is not None and image.filename == "box.png" and image.size == len(PNG)

    team = make.team()
    learner = make.employee("learner-images", team=team)
    make.employee("mentor-images", roles={"mentor"}, team=team)
    make.employee("stranger-images")
    quiz = quiz_with(question)
    attempt = attempts.start(quiz, learner, now=clock.now())
    db.session.commit()

    learner_client = app.test_client()
    login(learner_client, "learner-images")
    html = learner_client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    url = f"/questions/images/{image.id}/box.png"
    assert image_urls(html) == [url, url]  # the stem and the option
    assert 'alt="破损的外箱"' in html and "image:box.png" not in html

    served = learner_client.get(url)
    assert served.status_code == 200
    assert served.mimetype == "image/png" and served.data == PNG
    assert served.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "no-store" in served.headers["Cache-Control"]
    served.close()
    assert learner_client.get(f"/questions/images/{image.id}/other.png").status_code == 404

    mentor_client = app.test_client()
    login(mentor_client, "mentor-images")
    served = mentor_client.get(url)
    served.close()
    assert served.status_code == 200  # may grade the learner's attempt

    stranger_client = app.test_client()
    login(stranger_client, "stranger-images")
    assert stranger_client.get(url).status_code == 404
    assert app.test_client().get(url).status_code in (302, 401)  # signed out

    served = client.get(url)
    served.close()
    assert served.status_code == 200  # HR
    preview = client.get(f"/bank/questions/{question.id}/preview").get_data(as_text=True)
    assert url in image_urls(preview)


def test_the_review_shows_the_images_of_the_version_the_attempt_used(
    app, client, sign_in, make, hr, question
):
    version = bank.edit_question(question, WITH_IMAGE, actor=hr, now=clock.now())
    images.add_image(version, "box.png", PNG)
    learner = make.employee("learner-review")
    quiz = quiz_with(question)
    attempt = attempts.start(quiz, learner, now=clock.now())
    attempts.submit(attempt.id, learner, now=clock.now())
    old_image = db.session.scalar(
        sa.select(QuestionImage).where(QuestionImage.question_version_id == version.id)
    )
    newer = bank.edit_question(
        question, definition("新题干 ![图](image:box.png)"), actor=hr, now=clock.now()
    )
    assert [i.filename for i in images.images_of(newer.id)] == ["box.png"]
    db.session.commit()

    sign_in(learner)
    html = client.get(f"/attempts/{attempt.id}/review").get_data(as_text=True)
    assert f"/questions/images/{old_image.id}/box.png" in image_urls(html)


def test_a_file_that_is_not_an_image_is_refused_with_a_message(client, sign_in, hr, question):
    sign_in(hr)
    page = upload(client, question.id, "setup.png", EXE).get_data(as_text=True)
    assert "does not match its .png extension" in page
    page = upload(client, question.id, "notes.pdf", b"%PDF-1.4").get_data(as_text=True)
    assert "Upload an image: PNG, JPEG, GIF or WebP." in page
    assert db.session.scalar(sa.select(sa.func.count(QuestionImage.id))) == 0


def test_names_are_unique_per_version_and_made_safe_for_markdown(app, question):
    version = question.current_version
    image = images.add_image(version, "C:\\图片\\box (1).png", PNG)
    assert image.filename == "box-1.png"
    with pytest.raises(BankError):
        images.add_image(version, image.filename, PNG)


def test_hr_removes_an_image_of_the_current_version_only(app, client, sign_in, hr, question):
    first = question.current_version
    old = images.add_image(first, "box.png", PNG)
    version = bank.edit_question(question, WITH_IMAGE, actor=hr, now=clock.now())
    current = images.images_of(version.id)[0]
    sign_in(hr)
    token = csrf_from(client.get(f"/bank/questions/{question.id}").get_data(as_text=True))
    refused = client.post(f"/bank/images/{old.id}/delete", data={"csrf_token": token})
    assert refused.status_code == 404
    response = client.post(f"/bank/images/{current.id}/delete", data={"csrf_token": token})
    assert response.status_code == 302
    assert images.images_of(version.id) == [] and len(images.images_of(first.id)) == 1


def test_unknown_names_are_dropped_by_the_sanitiser(app, question):
    html = str(images.render_stem("![x](image:missing.png)", question.current_version_id))
    assert "image:" not in html and "<img" in html and "src" not in html


def test_the_grading_page_shows_the_images(app, client, sign_in, make, hr, quizzes_factory):
    from tests.assessments.conftest import essay

    written = essay(1) | {"stem": "看图写回复：![聊天记录](image:chat.png)"}
    question = quizzes_factory.question(written)
    image = images.add_image(question.current_version, "chat.png", PNG)
    learner = make.employee("learner-grading")
    attempt = attempts.start(quiz_with(question), learner, now=clock.now())
    attempts.save_answer(attempt.id, learner, 1, "您好，非常抱歉……", sequence=1, now=clock.now())
    attempts.submit(attempt.id, learner, now=clock.now())
    answer_id = attempt.answers[0].id
    sign_in(hr)
    html = client.get(f"/grading/answers/{answer_id}").get_data(as_text=True)
    assert f"/questions/images/{image.id}/chat.png" in image_urls(html)

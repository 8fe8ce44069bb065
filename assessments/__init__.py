"""Assessments: question bank, question types, quizzes, attempts, grading, formats."""

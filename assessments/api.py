"""API resources of the assessments: quizzes, attempts, statistics."""

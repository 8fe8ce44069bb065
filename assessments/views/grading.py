"""Routes of the assessments blueprint (grading)."""

"""Routes of the assessments blueprint (learner)."""

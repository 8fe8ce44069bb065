"""Routes of the assessments blueprint (manage)."""

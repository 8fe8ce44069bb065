"""Routes of the assessments blueprint (bank)."""

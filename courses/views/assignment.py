"""Routes of the catalogue blueprint (assignment)."""

"""Routes of the catalogue blueprint (authoring)."""

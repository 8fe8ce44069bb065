"""Routes of the catalogue blueprint (packages)."""

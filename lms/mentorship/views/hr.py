"""HR and team lead pages (being written)."""

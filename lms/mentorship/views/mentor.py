"""Mentor and mentee pages (being written)."""

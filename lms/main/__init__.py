"""The home page, the language switcher and the health check."""

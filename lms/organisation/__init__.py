"""Organisation: departments, teams, posts and employees (the people who use the platform)."""

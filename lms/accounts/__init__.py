"""Accounts: sign-in, sessions, passwords, profile and API tokens."""

"""Accounts: users, their organisation and their role in the task force."""

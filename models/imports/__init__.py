"""Bringing an organisation's spreadsheets into Makker (issue 17): tables, reading, operations."""

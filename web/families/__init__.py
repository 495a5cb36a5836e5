"""Whole-family work in the web: plan, meetings, progress, team, professionals (issue 14)."""

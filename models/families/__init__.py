"""Whole-family work: the family's plan, the team around the family, progress per person."""

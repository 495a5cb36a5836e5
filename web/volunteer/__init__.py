"""The volunteer's own pages."""

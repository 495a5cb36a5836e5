"""Coordinators' pages: intake, waiting lists, matching, follow-up."""

"""Safeguarding pages: signing the texts, "Jeg er bekymret", the børneattest, the admin's texts."""

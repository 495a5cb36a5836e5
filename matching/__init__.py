"""Compatibility of volunteers and requests: features, scores, candidates, explanations.

The core works on plain data (see ``matching.profiles``); only ``matching.run`` touches the
database, through ``models``.
"""

"""Referrals from the municipality: referring units, referrers, referrals with consent, the
coordinator's intake, status reports back at the programme's rhythm and a message thread.

``tables`` holds the records, ``operations`` the changes (one transaction each), ``queries``
what pages and reports read, ``schedule`` the programme's status rhythm as pure functions.
"""

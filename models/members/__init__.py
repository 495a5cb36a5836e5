"""One person, several programmes (issue 15): a volunteer's membership of each programme of
their organisation, with its own status and capacity; the one truth of who is in programme P."""

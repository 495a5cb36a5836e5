"""Events: the coordinator's events and attendance, the volunteer's sign-up and calendar, the
admin's volunteer-retention dashboard."""

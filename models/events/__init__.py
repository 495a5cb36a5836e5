"""Volunteers as a group: events (courses, network meetings, supervision, social), sign-ups with
a waiting list, attendance and hours, and each volunteer's calendar feed."""

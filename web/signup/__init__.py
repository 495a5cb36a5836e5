"""Public sign-up of volunteers: no account needed to start."""

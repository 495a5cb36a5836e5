"""Development helpers: the mailbox that shows queued e-mails when no SMTP server is set."""

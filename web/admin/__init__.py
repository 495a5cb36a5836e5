"""The association admin's pages: settings, users, dashboard, reports, audit."""

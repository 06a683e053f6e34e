"""Reference back-office intake service (server side)."""

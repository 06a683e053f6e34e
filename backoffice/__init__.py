"""Reference back-office intake service: terminals submit filled forms over mutual TLS."""

"""The clerk's counter window."""

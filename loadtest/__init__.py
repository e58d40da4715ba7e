"""Load test of the order flow: `python -m loadtest --help`."""

"""Measurements of the system at the district's size; each prints its figures."""

"""Slow-manifold ensembles after Ghazizadeh & Ching (2021): task, networks, FORCE, mechanisms."""

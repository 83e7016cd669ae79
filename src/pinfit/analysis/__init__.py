"""Analyses of fitted networks and recordings: connectivity, sequences, manifolds, codes, dynamics."""

"""Neighbour disputes: arrival, discovery, the mediation ladder and outcomes."""

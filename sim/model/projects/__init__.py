"""Upgrade projects: household utility, deliberation kernels, vote rules and the lifecycle."""

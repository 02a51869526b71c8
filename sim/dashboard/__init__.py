"""The Dash dashboard over results folders."""

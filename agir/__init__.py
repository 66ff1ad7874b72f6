"""AGIR case management: accompaniment of refugees in France."""

"""Template tags and filters of the roadmap app (see roadmap_tags)."""

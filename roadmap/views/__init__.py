"""Views: thin functions that fetch through querysets, compute with `progress`, and render."""

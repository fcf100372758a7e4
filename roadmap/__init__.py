"""The project package (settings, urls, wsgi) and the roadmap app (axes, actions, indicators)."""

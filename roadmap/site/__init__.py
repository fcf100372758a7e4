"""The site around the roadmap app: settings read from the environment, the root URLs, WSGI, the
write-log middleware and JSON log lines, the template context of every page, the health check and
the benchmark's bare view (docs/architecture.md)."""

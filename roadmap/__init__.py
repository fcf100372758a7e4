"""The project package and the roadmap app (axes, actions, indicators); the site around it
(settings, root URLs, WSGI, middleware) is `roadmap.site`."""

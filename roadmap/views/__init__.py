"""Views by page family: `public` (dashboard, axis, indicators, method, journal), `action` (the
action page and its sections), `edit` (the POST edits), `my_actions`, `opendata`; the page
frame they share is in `common`. Each fetches through `roadmap.queries` and renders."""

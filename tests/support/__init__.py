"""What the tests share, and nothing else: no test module imports another test module.

- `html`: read HTML as a reader sees it (one parser, one rule for no-break spaces);
- `htmx`: what htmx does with an answer, to compare with a fresh render;
- `builders`: rows and people to test with, and roadmaps grown bigger than the seed;
- `files`: real .xlsx and .csv files, made the way French Excel makes them;
- `json_schema`: the subset of JSON Schema the open-data documents are checked against;
- `constants`: the test password and the seed document;
- `browser`: helpers of the Playwright journeys.
"""

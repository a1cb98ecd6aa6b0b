"""`kg serve`: a local, read-only site over a store (Starlette, Jinja2, uvicorn).

``app`` routes the pages and the JSON API, ``pages`` gathers what each page shows,
``search`` finds names, ``text`` highlights an abstract, ``links`` makes addresses.
"""

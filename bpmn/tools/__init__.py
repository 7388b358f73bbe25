"""Generators that wrote the first versions of our process models (see ``build.py``)."""

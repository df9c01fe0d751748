"""Behaviour tests of the request engine (sync and async) against a real fault server."""

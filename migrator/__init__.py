"""requests2httpx: migrate Python code from requests to httpx, and report what needs a person."""

__version__ = "0.1.0"

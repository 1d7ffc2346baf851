"""flake8-spapi-roles: check Amazon SP-API calls against the roles your app registration holds."""

__version__ = "0.1.0"

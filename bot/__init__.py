"""The LIS Gdynia residents' assistant: composition root, configuration and entry points."""

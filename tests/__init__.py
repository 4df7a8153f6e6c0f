"""The test suite; its helper modules are imported as `tests.<name>`."""

"""pytest fixtures for the embedded CloudAPI simulator (``cloudapi_sim``, ``cloudapi``)."""

"""The package version. 1.0.0: the name ``smartdc`` was last released on PyPI as 0.2.0 (2013,
Joyent's python-smartdc, another API); a version must sort above it for ``pip install smartdc``
to pick this one, and a new major number says that code written for 0.2.0 does not carry over."""

__version__ = "1.0.0"

"""``python -m smartdc.cli``: the same as the ``smartdc`` command."""

from __future__ import annotations

from smartdc.cli import main

raise SystemExit(main())

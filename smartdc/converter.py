"""``converter``: a cattrs converter that knows every CloudAPI model and enum, for your own code.

The client itself decodes answers with each model's generated ``from_json``/``to_json``: they keep
unknown fields in ``.extra`` and explicit nulls, tolerate a mistyped field, and cattrs generating the
(un)structuring itself is no faster at structuring and 2-3 times slower at unstructuring 1,000
machines (``python -m bench.cattrs_compare``). This converter delegates to them, so code that
already speaks cattrs gets the same lossless, tolerant behaviour::

    from smartdc.converter import converter
    from smartdc.models import Machine

    machines = converter.structure(json.load(f), list[Machine])   # e.g. a cache on disk
    json.dump(converter.unstructure(machines), out)               # written back unchanged

Enums (un)structure as their wire strings. Use ``converter.copy()`` to add hooks of your own.
"""

from __future__ import annotations

from smartdc._generated.converter import converter

__all__ = ["converter"]

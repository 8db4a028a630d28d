"""Hand-written support for the generated client: JSON decoding, paths, calls, waiters, paging.

Part of the core: it never imports ``smartdc._generated`` (the generated code imports it).
"""

"""Blob-descriptor caches (``storage.cache.blobdescriptor``): an in-memory LRU and Redis.

Both implement :mod:`dockyard.storage.cache`'s protocols; :func:`dockyard.cache.factory.create`
picks one from the configuration.
"""

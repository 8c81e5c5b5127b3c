"""Health checks from the ``health`` section, polled in the background (Distribution's
``health`` package): ``storagedriver``, ``file``, ``http`` and ``tcp``."""

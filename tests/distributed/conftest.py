"""The ``_*_worker.py`` scripts run under mpiexec; pytest must not import them."""

collect_ignore_glob = ["_*_worker.py"]

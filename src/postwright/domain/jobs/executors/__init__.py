"""Executor liveness and takeover: who runs jobs, who is gone, who took over whose work."""

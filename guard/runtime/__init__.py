"""The runtime doors: exec shim, PATH shim, agent hooks, check, verdict, doctor."""

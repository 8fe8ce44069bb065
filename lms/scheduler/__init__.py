"""The scheduler process: periodic sweeps over due rows, run by ``lms scheduler``."""

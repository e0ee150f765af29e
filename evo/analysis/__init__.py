"""Drift analysis of run directories: how far the evolved mesa-objectives are from fitness."""

from evo.analysis.params import Thresholds, parse_thresholds
from evo.analysis.pipeline import Analysis, analyze_many, analyze_run, compute, find_runs

__all__ = ["Analysis", "Thresholds", "analyze_many", "analyze_run", "compute", "find_runs",
           "parse_thresholds"]

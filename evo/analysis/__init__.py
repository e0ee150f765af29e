"""Drift analysis of run directories: how far the evolved mesa-objectives are from fitness."""

from evo.analysis.many import analyze_many, find_runs
from evo.analysis.params import Thresholds, parse_thresholds
from evo.analysis.pipeline import RunAnalysis, analyze_run, compute

__all__ = ["RunAnalysis", "Thresholds", "analyze_many", "analyze_run", "compute", "find_runs",
           "parse_thresholds"]

"""The conformance kit: test any JD Cloud VM implementation against the reference, in lockstep, with hypothesis.

A system under test is reached through an adapter (``vmrules.testing.adapters.SystemAdapter``: ``call``,
``settle``, ``reset``). Each step is generated from the model's current world — mostly valid requests, a
controlled share of invalid ones each aimed at a known rule, ``settle`` and ``advance`` — and sent to both the
model (``vmrules.execute``) and the system, with the system's generated ids mapped to the model's. Success vs
failure, error status and code, and results must agree (the ``mode`` setting chooses how much is compared);
after every ``settle`` the observations (describeInstances, describeImages of own images, describeQuotas,
describeImageMembers) must agree for every caller used. Hypothesis shrinks a failing run to a minimal one,
reported as a trace in the format of ``vmrules run`` plus a paragraph naming the rule and its seed sentence.

Entry points (docs/conformance.md)::

    TestMine = conformance_test(lambda: MyAdapter())              # a pytest test in one line
    report = run_conformance(lambda: MyAdapter(), steps=40)       # scripts
    vmrules conform --url http://127.0.0.1:8000                   # the command line, over HTTP

The package, by responsibility: ``settings`` (KitSettings), ``edges`` (the edge world and the requests aimed
at its limits), ``compare`` (id map, normalization, differences), ``divergence`` (what a divergence records
and its explanation), ``lockstep`` (the driver), ``machine`` (the hypothesis state machine), ``minimize``
(replay and delta debugging), ``run`` (entry points and the report), ``command`` (``vmrules conform``).
"""

from vmrules.testing.conformance.command import build_parser, main
from vmrules.testing.conformance.compare import IdMap, first_difference, normalized
from vmrules.testing.conformance.divergence import ConformanceFailure, Divergence, Step, explain
from vmrules.testing.conformance.edges import EDGE_TARGETS, EdgeTarget, edge_targets, edge_world
from vmrules.testing.conformance.lockstep import Lockstep
from vmrules.testing.conformance.machine import KIT_HYPOTHESIS_SETTINGS, ConformanceMachine, RunStats
from vmrules.testing.conformance.minimize import minimize, replay, trace_steps
from vmrules.testing.conformance.run import Report, conformance_test, machine_for, run_conformance, write_trace
from vmrules.testing.conformance.settings import JSON, MODES, VOLATILE, KitSettings, Mode

__all__ = [
    "EDGE_TARGETS",
    "JSON",
    "KIT_HYPOTHESIS_SETTINGS",
    "MODES",
    "VOLATILE",
    "ConformanceFailure",
    "ConformanceMachine",
    "Divergence",
    "EdgeTarget",
    "IdMap",
    "KitSettings",
    "Lockstep",
    "Mode",
    "Report",
    "RunStats",
    "Step",
    "build_parser",
    "conformance_test",
    "edge_targets",
    "edge_world",
    "explain",
    "first_difference",
    "machine_for",
    "main",
    "minimize",
    "normalized",
    "replay",
    "run_conformance",
    "trace_steps",
    "write_trace",
]

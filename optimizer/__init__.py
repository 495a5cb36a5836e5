"""The assignment of volunteers to requests, with OR-Tools. Arrays in, assignment out.

Imports nothing of Makker's own. ``assign`` takes a dense score matrix, ``assign_edges`` a sparse
candidate list; both maximise, under capacities, locks and forbidden pairs, either the number of
requests matched and then the total score ("most-matched"), or the total score ("best-score").
Plain problems go to min-cost flow (or OR-Tools' assignment solver for dense one-to-one ones);
large dense matrices are solved on each request's best pairs and proven optimal for all of them
(``optimizer.certified``); side constraints go to CP-SAT.
"""

from optimizer.greedy import greedy_assign
from optimizer.problem import Assignment, SideConstraints
from optimizer.solve import assign, assign_edges

__all__ = ["Assignment", "SideConstraints", "assign", "assign_edges", "greedy_assign"]

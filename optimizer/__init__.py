"""The assignment of volunteers to requests, with OR-Tools. Arrays in, assignment out.

Imports nothing of Makker's own. ``assign`` takes a dense score matrix, ``assign_edges`` a sparse
candidate list; both maximise, under capacities, locks and forbidden pairs, either the number of
requests matched and then the total score ("most-matched"), or the total score ("best-score").
Plain problems go to min-cost flow (or OR-Tools' assignment solver for dense one-to-one ones);
large dense matrices are solved on each request's best pairs and proven optimal for all of them
(``optimizer.certified``); side constraints go to CP-SAT. With a ``WaitingPriority`` the objective
is the fair lexicographic one of ``optimizer.tiers``: nobody past the waiting target is passed
over by a newcomer.
"""

from optimizer.greedy import greedy_assign
from optimizer.problem import Assignment, SideConstraints
from optimizer.solve import assign, assign_edges
from optimizer.tiers import WaitingPriority

__all__ = ["Assignment", "SideConstraints", "WaitingPriority", "assign", "assign_edges", "greedy_assign"]

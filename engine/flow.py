"""Reviewer slots as a flow network (networkx): feasibility, the choices that keep a draw
completable, and Hall certificates when none exists.

The network: source -> each slot (capacity: seats to fill) -> each State in its pool
(capacity 1: a State fills a slot once) -> sink (capacity: reviews the State may still
perform). Every seat can be filled at once exactly when the maximum flow saturates the
source (integral flows). A slot of two seats may require one of them from a preferred set
(the similar legal system of para 20): its seats then pass through two intermediate
nodes, preferred (capacity 2) and other (capacity 1).

A State X can fill slot s in some complete assignment exactly when, in the residual graph
of a maximum flow, the edge s -> X carries flow or X reaches s (push the cycle): one max
flow and one search answer the question for every State at once.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable, Sequence

import attrs
import networkx as nx
from networkx.algorithms.flow import edmonds_karp

from .draw_problem import Slot

SOURCE, SINK = "source", "sink"


@attrs.frozen
class Seats:
    """A slot as the network sees it: its pool may be narrowed for a question."""

    key: tuple[str, str]
    need: int
    pool: frozenset[str]
    prefer: frozenset[str] | None = None  # of two seats, at least one from this set
    per_state: int = 1  # seats one State may fill: 1 within a review; more when seats of
    #                     several reviews with the same pool are merged into one node

    @classmethod
    def of(cls, slot: Slot) -> "Seats":
        return cls(slot.key, slot.need, frozenset(slot.pool))


def _node(key) -> tuple:
    return ("slot",) + tuple(key)


def _state(x: str) -> tuple:
    return ("state", x)


@attrs.define
class Solution:
    seats: dict[tuple, Seats]
    graph: nx.DiGraph
    flow: dict
    value: int
    demand: int

    @property
    def complete(self) -> bool:
        return self.value == self.demand

    def _parents(self, key) -> list:
        s = self.seats[key]
        n = _node(key)
        if s.prefer is not None and s.need == 2:
            return [n + ("preferred",), n + ("rest",)]
        return [n]

    def candidates(self, key) -> set[str]:
        """The States that fill slot `key` in some complete assignment."""
        if not self.complete:
            return set()
        parents = self._parents(key)
        reach = self._reaching(parents)
        out = set()
        for p in parents:
            for v in self.graph.successors(p):
                if v[0] == "state" and (self.flow[p][v] > 0 or v in reach.get(p, ())):
                    out.add(v[1])
        return out

    def _reaching(self, targets: Sequence) -> dict:
        """For each target, the nodes that reach it in the residual graph."""
        rev: dict = {}
        for u, v, cap in self.graph.edges(data="capacity"):
            f = self.flow[u][v]
            if f < cap:
                rev.setdefault(v, []).append(u)  # residual u -> v
            if f > 0:
                rev.setdefault(u, []).append(v)  # residual v -> u
        out = {}
        for t in targets:
            seen = {t}
            queue = deque([t])
            while queue:
                n = queue.popleft()
                for m in rev.get(n, ()):
                    if m not in seen:
                        seen.add(m)
                        queue.append(m)
            out[t] = seen
        return out


def solve(seats: Iterable[Seats], capacity: dict[str, int]) -> Solution:
    g = nx.DiGraph()
    g.add_node(SOURCE)
    g.add_node(SINK)
    table = {}
    demand = 0
    for s in seats:
        table[s.key] = s
        demand += s.need
        n = _node(s.key)
        g.add_edge(SOURCE, n, capacity=s.need)
        if s.prefer is not None and s.need == 2:
            pref, rest = n + ("preferred",), n + ("rest",)
            g.add_edge(n, pref, capacity=2)
            g.add_edge(n, rest, capacity=1)
            for x in sorted(s.pool):
                g.add_edge(pref if x in s.prefer else rest, _state(x), capacity=1)
        else:
            for x in sorted(s.pool):
                g.add_edge(n, _state(x), capacity=s.per_state)
    for x, c in sorted(capacity.items()):
        if c > 0 and g.has_node(_state(x)):
            g.add_edge(_state(x), SINK, capacity=c)
    # Edmonds-Karp: on these unit-capacity bipartite networks it ran about twice as fast as
    # networkx's default (preflow-push) on the real-size cycle
    value, flow = nx.maximum_flow(g, SOURCE, SINK, flow_func=edmonds_karp)
    return Solution(table, g, flow, value, demand)


@attrs.frozen
class Hall:
    """A set of slots whose seats outnumber what the States able to fill them can give.

    Each State X gives at most min(capacity left, number of these slots X may fill): a
    person checks the certificate by counting."""

    slots: tuple[tuple[str, str], ...]
    need: int
    givers: tuple[tuple[str, int, int], ...]  # (State, capacity left, slots it may fill)

    @property
    def can_give(self) -> int:
        return sum(min(c, m) for _, c, m in self.givers)


def hall_certificate(seats: Sequence[Seats], capacity: dict[str, int]) -> Hall | None:
    """A minimal violated Hall condition, or None when every seat can be filled. The seats
    have no `prefer` set (the count below knows nothing of it).

    The slots on the source side S of a minimum cut violate the condition: the cut pays
    the seats of the slots outside S, and for each State X either its capacity (X in S)
    or one per slot of S that X may fill (X outside S), so at least min(capacity, slots of
    S it may fill); the cut is less than all the seats, so the seats of S outnumber what
    the States can give them."""
    sol = solve(seats, capacity)
    if sol.complete:
        return None
    # the source side of a minimum cut, as networkx's minimum_cut takes it (the nodes that
    # cannot reach the sink in the residual graph), from the flow already computed:
    # minimum_cut would compute a maximum flow again
    side = set(sol.graph) - sol._reaching([SINK])[SINK]
    chosen = [s for s in seats if _node(s.key) in side]
    # shrink to a minimal violated set, in id order, so the certificate is short; the
    # totals are kept as counts so that trying to drop a slot costs its pool's size
    m = Counter(x for s in chosen for x in s.pool)
    need = sum(s.need for s in chosen)
    give = sum(min(capacity.get(x, 0), k) for x, k in m.items())
    keep = set(range(len(chosen)))
    for i in sorted(keep, key=lambda i: chosen[i].key):
        s = chosen[i]
        loss = sum(1 for x in s.pool if m[x] <= capacity.get(x, 0))
        if len(keep) > 1 and need - s.need > give - loss:
            keep.discard(i)
            need -= s.need
            give -= loss
            for x in s.pool:
                m[x] -= 1
    chosen = [chosen[i] for i in keep]
    chosen.sort(key=lambda s: s.key)
    m = Counter(x for s in chosen for x in s.pool)
    givers = tuple((x, capacity.get(x, 0), m[x]) for x in sorted(m))
    return Hall(tuple(s.key for s in chosen), sum(s.need for s in chosen), givers)


def merged(seats: Iterable[Seats]) -> tuple[list[Seats], dict[tuple, tuple]]:
    """Merge one-seat slots with equal pools (necessarily of different reviews) into one
    node: the flow is the same and the network much smaller. Returns the nodes and, for
    each slot, the key of its node."""
    nodes: list[Seats] = []
    by_pool: dict[frozenset, list[Seats]] = {}
    for s in seats:
        if s.need == 1 and s.prefer is None:
            by_pool.setdefault(s.pool, []).append(s)
        else:
            nodes.append(s)
    where = {s.key: s.key for s in nodes}
    for pool, group in by_pool.items():
        if len(group) == 1:
            nodes.append(group[0])
            where[group[0].key] = group[0].key
            continue
        key = ("merged", min(s.key for s in group))
        nodes.append(Seats(key, len(group), pool, None, len(group)))
        for s in group:
            where[s.key] = key
    return nodes, where
